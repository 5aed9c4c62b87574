// Regenerates src/library.ts from the model files: node --import tsx packages/models/scripts/build-library.ts
import { writeFileSync } from 'node:fs';
import { findModelFiles, LIBRARY_FILE, librarySource } from './library-source.ts';

writeFileSync(LIBRARY_FILE, await librarySource());
console.log(`${LIBRARY_FILE}: ${findModelFiles().length} models`);
