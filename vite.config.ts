// The web app's build: src/web is the Vite root, the output goes to dist/web with content-hashed
// file names, and every text asset also gets .br and .gz copies for the server to send as they are.
import { fileURLToPath } from 'node:url';
import tailwindcss from '@tailwindcss/vite';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { precompress } from './scripts/precompress.js';

const root = fileURLToPath(new URL('./src/web', import.meta.url));
const outDir = process.env.SKILLED_WEB_OUT_DIR ?? fileURLToPath(new URL('./dist/web', import.meta.url));

export default defineConfig({
  root,
  publicDir: 'public',
  plugins: [react(), tailwindcss(), precompress()],
  define: {
    // Changes with every source change, so a cache persisted by an older build is dropped.
    __BUILD_ID__: JSON.stringify(process.env.SKILLED_BUILD_ID ?? 'dev'),
  },
  build: {
    outDir,
    emptyOutDir: true,
    target: 'es2022',
    // Inline nothing as data: URLs: the page's CSP allows scripts and images from its own origin.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
    rolldownOptions: {
      output: {
        codeSplitting: {
          groups: [
            // Libraries change less often than the app: their own files stay cached across releases.
            { name: 'react', test: /node_modules[\\/](react|react-dom|scheduler)[\\/]/ },
            { name: 'tanstack', test: /node_modules[\\/]@tanstack[\\/]/ },
          ],
        },
      },
    },
  },
  server: {
    // `npm run dev:web`: the app with hot reload, the API from `npm run dev` on port 3000.
    proxy: { '/api': { target: 'http://localhost:3000', ws: true } },
  },
});
