// How an entry sees an imported `.wasm` file. The build decides what it becomes:
// bytes (esbuild `--loader:.wasm=binary`, the universal entry and tests) or a
// `WebAssembly.Module` (workerd, `--loader:.wasm=copy`).
declare module '*.wasm' {
  const wasm: Uint8Array | WebAssembly.Module;
  export default wasm;
}
