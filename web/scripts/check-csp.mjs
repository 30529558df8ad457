// node scripts/check-csp.mjs [dist]: exit 1 when the built app would break
// under the server's Content-Security-Policy (see src/lib/cspScan.js).
import { readFileSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { scanCss, scanHtml, scanJs } from '../src/lib/cspScan.js'

const dist = process.argv[2] || 'dist'
const files = []
const walk = (d) => {
  for (const f of readdirSync(d)) {
    const p = join(d, f)
    if (statSync(p).isDirectory()) walk(p)
    else files.push(p)
  }
}
walk(dist)
let bad = 0
for (const f of files) {
  const text = /\.(js|mjs|html|css)$/.test(f) ? readFileSync(f, 'utf8') : null
  if (text === null) continue
  const problems = f.endsWith('.html') ? scanHtml(text) : f.endsWith('.css') ? scanCss(text) : scanJs(text)
  for (const p of problems) {
    console.error(`${f}: ${p}`)
    bad++
  }
}
console.log(bad ? `CSP check: ${bad} problem(s) in ${files.length} files` : `CSP check: ${files.length} files, no problem`)
process.exit(bad ? 1 : 0)
