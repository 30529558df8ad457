import { fileURLToPath, URL } from 'node:url'
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import VueI18nPlugin from '@intlify/unplugin-vue-i18n/vite'

// CSP (script-src 'self', no 'unsafe-eval'): the locale files under
// src/i18n/locales are precompiled at build time by @intlify/unplugin-vue-i18n
// and vue-i18n is aliased to its runtime-only build, so no message is ever
// compiled with `new Function` in the browser.  `npm run build` is followed
// can be checked (npm run check-csp: scripts/check-csp.mjs) that the bundle has no eval/new Function.
// The policy the C server sends; `npm run preview` sends it too, so the built
// app can be tried under it.
export const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; " +
  "frame-ancestors 'none'; form-action 'self'"

const apiTarget = process.env.HUIKUAN_API || 'http://127.0.0.1:8080'

export default defineConfig({
  base: '/',
  plugins: [
    vue(),
    VueI18nPlugin({
      include: [fileURLToPath(new URL('./src/i18n/locales/**', import.meta.url))],
      runtimeOnly: true,
      compositionOnly: true,
      fullInstall: true,
      strictMessage: false,
      escapeHtml: false
    })
  ],
  resolve: {
    alias: {
      '@': fileURLToPath(new URL('./src', import.meta.url))
    }
  },
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    sourcemap: false,
    chunkSizeWarningLimit: 1500
  },
  server: {
    proxy: { '/api': { target: apiTarget, changeOrigin: false } }
  },
  preview: {
    proxy: { '/api': { target: apiTarget, changeOrigin: false } },
    headers: { 'Content-Security-Policy': CSP }
  },
  test: {
    environment: 'node',
    include: ['tests/**/*.test.js']
  }
})
