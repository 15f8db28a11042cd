/**
 * Structure in training: proximal operators (`prox`), projections (`project`) and
 * multi-task gradient surgery (`gradientSurgery`, `MultiTask`). See docs/structure.md.
 */
export { prox, type GroupLassoOptions } from './prox.js';
export { project, type GridOptions } from './project.js';
export { gradientSurgery, SurgeryPlan, minNormWeights, type SurgeryMethod, type SurgeryReport } from './surgery.js';
export { MultiTask, type MultiTaskModel, type MultiTaskOptions, type MultiTaskReport, type Task } from './multitask.js';
export { StepPlan, type StructureStep, type Region, type BoundStep } from './common.js';
