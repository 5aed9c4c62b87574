export * from './spec.ts';
export * from './patient.ts';
export * from './course.ts';
export * from './chunk.ts';
export * from './report.ts';
export * from './closed-form.ts';
export * from './interim.ts';
