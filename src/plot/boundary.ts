import type { Dataset } from '../data/dataset.js';
import { ValueError } from '../errors.js';
import { predictClasses } from '../train/evaluate.js';
import type { TrainModel } from '../train/model.js';
import { decisionBoundary, type BoundaryGrid } from './svg.js';

/**
 * Classifies a grid over the bounding box of `data` (2 features) plus a
 * margin. `transform` maps grid points to model inputs (e.g. a fitted
 * Standardizer) when the model was trained on transformed features.
 */
export function boundaryGrid(
  model: TrainModel,
  data: Dataset,
  options: { resolution?: number; margin?: number; transform?: (features: Float32Array) => Float32Array } = {},
): BoundaryGrid {
  if (data.numFeatures !== 2) throw new ValueError(`boundaryGrid: needs 2 features, ${data.name} has ${data.numFeatures}`);
  const { resolution = 120, margin = 0.1 } = options;
  let xMin = Infinity, xMax = -Infinity, yMin = Infinity, yMax = -Infinity;
  for (let i = 0; i < data.length; i++) {
    const x = data.features[2 * i], y = data.features[2 * i + 1];
    xMin = Math.min(xMin, x);
    xMax = Math.max(xMax, x);
    yMin = Math.min(yMin, y);
    yMax = Math.max(yMax, y);
  }
  const mx = (xMax - xMin) * margin || 1, my = (yMax - yMin) * margin || 1;
  xMin -= mx;
  xMax += mx;
  yMin -= my;
  yMax += my;
  const nx = resolution, ny = resolution;
  const pts = new Float32Array(nx * ny * 2);
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) {
      pts[2 * (j * nx + i)] = xMin + ((i + 0.5) / nx) * (xMax - xMin);
      pts[2 * (j * nx + i) + 1] = yMin + ((j + 0.5) / ny) * (yMax - yMin);
    }
  }
  const classes = predictClasses(model, options.transform ? options.transform(pts) : pts);
  return { xMin, xMax, yMin, yMax, nx, ny, classes };
}

/** The decision-boundary SVG of a 2-D classifier over `data`. */
export function plotDecisionBoundary(
  model: TrainModel,
  data: Dataset,
  options: { resolution?: number; title?: string; transform?: (features: Float32Array) => Float32Array } = {},
): string {
  const grid = boundaryGrid(model, data, options);
  return decisionBoundary(grid, { features: data.features, labels: data.targets as Int32Array }, { title: options.title, numClasses: data.numClasses });
}
