// Builds the console into dist/ (index.html and hashed files under assets/), which `keel console`
// serves from disk. Relative URLs, so the console also works behind a path prefix.

import { defineConfig } from 'vite';

export default defineConfig({
  base: './',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // Source maps stay out of the served files: the console is small and read in the repository.
    sourcemap: false,
  },
});
