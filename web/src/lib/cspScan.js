// Scan built files for what the server's Content-Security-Policy forbids:
// inline scripts and event handlers in HTML, eval / new Function in JS,
// scripts, styles or fonts from another origin.

// lodash's `root` falls back to Function('return this')() only where neither
// `global` nor `self` exists; in a browser `self` always does, so that one
// call is never reached and is allowed.
const LODASH_ROOT = /\|\|\s*Function\(\s*["']return this["']\s*\)\(\)/g

export function scanJs(code) {
  const problems = []
  if (/\bnew\s+Function\s*\(/.test(code)) problems.push('new Function')
  if (/(^|[^.\w$])eval\s*\(/.test(code)) problems.push('eval(')
  const rest = code.replace(LODASH_ROOT, '')
  if (/(^|[^.\w$])Function\s*\(/.test(rest)) problems.push('Function(')
  if (/set(?:Timeout|Interval)\(\s*["'`]/.test(code)) problems.push('string timer')
  return problems
}

export function scanHtml(html) {
  const problems = []
  const scripts = html.match(/<script\b[^>]*>[\s\S]*?<\/script>/gi) || []
  for (const s of scripts) {
    const open = s.match(/<script\b[^>]*>/i)[0]
    const body = s.slice(open.length, -'</script>'.length)
    if (!/\bsrc\s*=/.test(open) && body.trim()) problems.push('inline <script>')
    const src = open.match(/\bsrc\s*=\s*["']([^"']+)/i)
    if (src && /^(https?:)?\/\//i.test(src[1])) problems.push(`external script ${src[1]}`)
  }
  if (/\son[a-z]+\s*=\s*["']/i.test(html)) problems.push('inline event handler')
  const links = html.match(/<link\b[^>]*>/gi) || []
  for (const l of links) {
    const href = l.match(/\bhref\s*=\s*["']([^"']+)/i)
    if (href && /^(https?:)?\/\//i.test(href[1])) problems.push(`external link ${href[1]}`)
  }
  return problems
}

export function scanCss(css) {
  const problems = []
  const urls = css.match(/url\(\s*["']?([^"')]+)/gi) || []
  for (const u of urls) {
    const target = u.replace(/^url\(\s*["']?/i, '')
    if (/^(https?:)?\/\//i.test(target)) problems.push(`external url ${target}`)
  }
  if (/@import\s+(url\()?["']?(https?:)?\/\//i.test(css)) problems.push('external @import')
  return problems
}
