// Loading datasets from paths (Node, Deno, Bun). Everything here goes through ../io/files.ts.
import { ValueError } from '../errors.js';
import { readFileBytes } from '../io/files.js';
import { loadCsv, type CsvOptions } from './csv.js';
import type { Dataset } from './dataset.js';
import { loadIdxDataset, type IdxDatasetOptions } from './idx.js';

/** Reads a CSV file into a Dataset (errors name the path, line and column). */
export async function loadCsvFile(path: string, options: Omit<CsvOptions, 'file'> = {}): Promise<Dataset> {
  checkPath('loadCsvFile', 'path', path);
  return loadCsv(await readFileBytes(path), { ...options, file: path });
}

/** Reads an MNIST-style pair of IDX files (optionally `.gz`) into a Dataset. */
export async function loadIdxFiles(imagesPath: string, labelsPath: string, options: Omit<IdxDatasetOptions, 'imagesFile' | 'labelsFile'> = {}): Promise<Dataset> {
  checkPath('loadIdxFiles', 'imagesPath', imagesPath);
  checkPath('loadIdxFiles', 'labelsPath', labelsPath);
  const [a, b] = await Promise.all([readFileBytes(imagesPath), readFileBytes(labelsPath)]);
  return loadIdxDataset(a, b, { ...options, imagesFile: imagesPath, labelsFile: labelsPath });
}

function checkPath(op: string, name: string, path: unknown): void {
  if (typeof path !== 'string' || path === '') throw new ValueError(`${op}: ${name} must be a non-empty path, got ${JSON.stringify(path) ?? String(path)}`);
}
