import { FormatError, ValueError } from '../errors.js';
import { describe } from '../runtime/validate.js';
import { Dataset, MAX_CLASSES } from './dataset.js';
import { readText, type ByteSource } from './source.js';

export interface CsvOptions {
  /** the first row is a header: true, false or 'auto' (a header when any cell of row 1 is not a number; default) */
  header?: boolean | 'auto';
  /** cell separator (default ',') */
  delimiter?: string;
  /** the label column: 0-based index (negative counts from the end) or header name (default: the last column) */
  label?: number | string;
  /**
   * 'classification' (labels must be class ids: integers in [0, 2^24)),
   * 'regression', or 'auto' (default: classification when every label is an
   * integer ≥ 0; an integer label ≥ 2^24 is then a `FormatError`: pass
   * 'regression' for a real-valued column of large integers)
   */
  task?: 'classification' | 'regression' | 'auto';
  /** the name used in error messages (default 'csv') */
  file?: string;
}

const MISSING = new Set(['', 'na', 'nan', 'n/a', 'null', '?', 'none']);

/**
 * Parses numeric CSV into a Dataset. Every cell must be a number that is
 * finite in f32 (|x| ≤ 3.4028235e38; `1e39` is refused, not stored as
 * Infinity): an empty or missing cell, a ragged row, a non-numeric or
 * out-of-range cell, or a class label that is not an integer in [0, 2^24)
 * is a `FormatError` naming the file, the line and the column (1-based).
 * Blank lines are skipped; `"…"` quotes around a cell are removed. Bad
 * arguments (text not a string, an unknown option value) are `ValueError`s.
 */
export function parseCsv(text: string, options: CsvOptions = {}): Dataset {
  if (typeof text !== 'string') {
    throw new ValueError(`parseCsv: text must be a string, got ${describe(text)}${ArrayBuffer.isView(text as unknown) || (text as unknown) instanceof ArrayBuffer ? ' (use loadCsv for bytes)' : ''}`);
  }
  if (options === null || typeof options !== 'object') throw new ValueError(`parseCsv: options must be an object, got ${describe(options)}`);
  for (const k of Object.keys(options)) {
    if (!OPTION_KEYS.includes(k)) throw new ValueError(`parseCsv: unknown option '${k}' (options: ${OPTION_KEYS.join(', ')})`);
  }
  const { header = 'auto', delimiter = ',', label = -1, task = 'auto', file = 'csv' } = options;
  if (header !== true && header !== false && header !== 'auto') throw new ValueError(`parseCsv: header must be true, false or 'auto', got ${JSON.stringify(header)}`);
  if (task !== 'classification' && task !== 'regression' && task !== 'auto') {
    throw new ValueError(`parseCsv: task must be 'classification', 'regression' or 'auto', got ${JSON.stringify(task)}`);
  }
  if (typeof file !== 'string') throw new ValueError(`parseCsv: file must be a string, got ${describe(file)}`);
  if (typeof delimiter !== 'string' || delimiter.length !== 1 || delimiter === '\n' || delimiter === '\r' || delimiter === '"') throw new ValueError(`parseCsv: delimiter must be one character, got ${JSON.stringify(delimiter)}`);
  const lines = text.split(/\r\n|\n|\r/);
  let names: string[] | null = null;
  let first = 0;
  while (first < lines.length && lines[first].trim() === '') first++;
  if (first >= lines.length) throw new FormatError(`${file}: no data rows`);
  const firstCells = splitLine(lines[first], delimiter);
  const hasHeader = header === 'auto' ? firstCells.some((c) => !isNumeric(c)) : header;
  if (hasHeader) {
    names = firstCells;
    first++;
  }
  let width = names ? names.length : -1;
  const rows: { line: number; cells: string[] }[] = [];
  for (let li = first; li < lines.length; li++) {
    if (lines[li].trim() === '') continue;
    const cells = splitLine(lines[li], delimiter);
    if (width < 0) width = cells.length;
    if (cells.length !== width) {
      throw new FormatError(`${file}: line ${li + 1} has ${cells.length} columns, expected ${width}${names ? ' (from the header)' : ' (from the first row)'}`);
    }
    rows.push({ line: li + 1, cells });
  }
  if (rows.length === 0) throw new FormatError(`${file}: no data rows`);
  if (width < 2) throw new FormatError(`${file}: needs at least 2 columns (features and a label), got ${width}`);
  let labelCol: number;
  if (typeof label === 'string') {
    if (!names) throw new FormatError(`${file}: label column "${label}" given by name, but the file has no header`);
    labelCol = names.indexOf(label);
    if (labelCol < 0) throw new FormatError(`${file}: no label column "${label}" in the header (${names.join(', ')})`);
  } else {
    if (!Number.isInteger(label)) throw new ValueError(`parseCsv: label must be a column index or a header name, got ${label}`);
    labelCol = label < 0 ? width + label : label;
    if (labelCol < 0 || labelCol >= width) throw new FormatError(`${file}: label column ${label} does not exist; rows have ${width} columns`);
  }
  const n = rows.length, d = width - 1;
  const x = new Float32Array(n * d);
  const yv = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const { line, cells } = rows[i];
    let j = 0;
    for (let c = 0; c < width; c++) {
      const v = parseCell(cells[c], file, line, c + 1);
      if (c === labelCol) yv[i] = v;
      else x[i * d + j++] = v;
    }
  }
  const integral = yv.every((v) => Number.isInteger(v) && v >= 0);
  const isClass = task === 'classification' || (task === 'auto' && integral);
  if (isClass) {
    // class ids: integers in [0, 2^24); checked here, before Int32Array.from could wrap 2^31 to a negative number
    const i = yv.findIndex((v) => !(Number.isInteger(v) && v >= 0 && v < MAX_CLASSES));
    if (i >= 0) {
      const big = Number.isInteger(yv[i]) && yv[i] >= MAX_CLASSES;
      throw new FormatError(
        `${file}: line ${rows[i].line}, column ${labelCol + 1}: label ${cellText(rows[i].cells[labelCol]).slice(1, -1)} is not a class id (an integer in [0, 2^24 = ${MAX_CLASSES}))` +
          (big && task === 'auto' ? "; if this column is a real-valued target, parse with task: 'regression' (CLI: --task regression)" : ''),
      );
    }
  }
  const targets = isClass ? Int32Array.from(yv) : Float32Array.from(yv);
  return new Dataset(x, targets, { numFeatures: d, name: file });
}

/** Reads CSV from a string, bytes, a `Response`, a `Blob` or a stream. */
export async function loadCsv(source: ByteSource | string, options: CsvOptions = {}): Promise<Dataset> {
  return parseCsv(await readText(source, typeof options?.file === 'string' ? options.file : 'csv'), options);
}

const OPTION_KEYS = ['header', 'delimiter', 'label', 'task', 'file'];


function cellText(cell: string): string {
  return JSON.stringify(cell.length > 40 ? `${cell.slice(0, 40)}…` : cell);
}

function splitLine(line: string, delimiter: string): string[] {
  return line.split(delimiter).map((c) => {
    const t = c.trim();
    return t.length >= 2 && t[0] === '"' && t[t.length - 1] === '"' ? t.slice(1, -1).trim() : t;
  });
}

function isNumeric(cell: string): boolean {
  return cell !== '' && Number.isFinite(Number(cell));
}

function parseCell(cell: string, file: string, line: number, col: number): number {
  if (MISSING.has(cell.toLowerCase())) {
    throw new FormatError(`${file}: line ${line}, column ${col}: missing value ${JSON.stringify(cell)}`);
  }
  const v = Number(cell);
  if (!Number.isFinite(v)) throw new FormatError(`${file}: line ${line}, column ${col}: ${cellText(cell)} is not a number`);
  if (!Number.isFinite(Math.fround(v))) {
    throw new FormatError(`${file}: line ${line}, column ${col}: ${cellText(cell)} is outside the f32 range (|x| ≤ 3.4028235e38)`);
  }
  return v;
}
