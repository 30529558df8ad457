// Money is a decimal string in yuan ("1234.56") from the server.  It is never
// turned into a float: these helpers only work on the characters.

const MONEY_RE = /^(-?)(\d+)(?:\.(\d+))?$/

// "1234567.89" -> "1,234,567.89"; null/"" -> "—"; anything unexpected as is.
export function formatMoney(value, { empty = '—' } = {}) {
  if (value === null || value === undefined || value === '') return empty
  const s = String(value).trim()
  const m = MONEY_RE.exec(s)
  if (!m) return s
  const [, sign, int, frac] = m
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',')
  return `${sign}${grouped}${frac !== undefined ? `.${frac}` : ''}`
}

// Normalise what a user typed as an amount to the server's form "123.40":
// digits, optional 1-2 decimals, no sign, thousands separators allowed.
// Returns null when it is not a valid positive amount.
export function normalizeAmount(input) {
  if (input === null || input === undefined) return null
  const s = String(input).trim().replace(/[,，\s]/g, '')
  const m = /^(\d+)(?:\.(\d{0,2}))?$/.exec(s)
  if (!m) return null
  const int = m[1].replace(/^0+(?=\d)/, '')
  const frac = (m[2] || '').padEnd(2, '0')
  if (/^0+$/.test(int) && /^0+$/.test(frac)) return null
  return `${int}.${frac}`
}

// Compare two money strings without floats: -1, 0, 1.
export function compareMoney(a, b) {
  const parse = (v) => {
    const m = MONEY_RE.exec(String(v).trim())
    if (!m) throw new Error(`not money: ${v}`)
    return { neg: m[1] === '-', int: m[2].replace(/^0+(?=\d)/, ''), frac: (m[3] || '').padEnd(2, '0') }
  }
  const x = parse(a)
  const y = parse(b)
  const mag = (p, q) => {
    if (p.int.length !== q.int.length) return p.int.length < q.int.length ? -1 : 1
    const l = p.int + p.frac.padEnd(Math.max(p.frac.length, q.frac.length), '0')
    const r = q.int + q.frac.padEnd(Math.max(p.frac.length, q.frac.length), '0')
    return l === r ? 0 : l < r ? -1 : 1
  }
  const isZero = (p) => /^0+$/.test(p.int + p.frac)
  if (isZero(x) && isZero(y)) return 0
  if (x.neg !== y.neg) return x.neg ? -1 : 1
  const c = mag(x, y)
  return x.neg ? -c : c
}
