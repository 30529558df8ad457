import { describe, expect, it } from 'vitest'
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { scanCss, scanHtml, scanJs } from '../src/lib/cspScan.js'

describe('CSP scanner', () => {
  it('flags eval and new Function, allows lodash root fallback', () => {
    expect(scanJs('const f = new Function("a", "return a")')).toContain('new Function')
    expect(scanJs('x = eval("1+1")')).toContain('eval(')
    expect(scanJs('obj.eval(1)')).toEqual([])
    expect(scanJs('var r = a || b || Function("return this")();')).toEqual([])
    expect(scanJs('var r = Function("return 1")()')).toContain('Function(')
    expect(scanJs('setTimeout("alert(1)", 10)')).toContain('string timer')
  })
  it('flags inline scripts, handlers and external resources in HTML', () => {
    expect(scanHtml('<script>alert(1)</script>')).toContain('inline <script>')
    expect(scanHtml('<script type="module" src="/assets/a.js"></script>')).toEqual([])
    expect(scanHtml('<script src="https://cdn.example/x.js"></script>')[0]).toMatch(/external script/)
    expect(scanHtml('<body onload="go()">')).toContain('inline event handler')
    expect(scanHtml('<link rel="stylesheet" href="//fonts.example/css">')[0]).toMatch(/external link/)
  })
  it('flags external urls in CSS, not data: ones', () => {
    expect(scanCss('a{background:url(data:image/png;base64,AAA)}')).toEqual([])
    expect(scanCss('@font-face{src:url("https://fonts.example/a.woff2")}')[0]).toMatch(/external url/)
  })
})

// After `npm run build` the real bundle is checked as well.
const dist = new URL('../dist/', import.meta.url).pathname
describe.skipIf(!existsSync(join(dist, 'index.html')))('built bundle (dist/)', () => {
  it('has no CSP problem', () => {
    const problems = []
    const html = readFileSync(join(dist, 'index.html'), 'utf8')
    problems.push(...scanHtml(html))
    for (const f of readdirSync(join(dist, 'assets'))) {
      const text = readFileSync(join(dist, 'assets', f), 'utf8')
      if (f.endsWith('.js')) problems.push(...scanJs(text).map((p) => `${f}: ${p}`))
      if (f.endsWith('.css')) problems.push(...scanCss(text).map((p) => `${f}: ${p}`))
    }
    expect(problems).toEqual([])
  })
})
