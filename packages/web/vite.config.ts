import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The engine and the model library are bundled as they are (TypeScript sources): the what-if
// runs in the browser's worker. `npm run build -w @dosetwin/web` writes dist/, served by `dosetwin serve`.
export default defineConfig({
  plugins: [react()],
  worker: { format: 'es' },
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 2000, sourcemap: false },
  server: { proxy: { '/api': 'http://127.0.0.1:8787' } },
});
