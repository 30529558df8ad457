// GET /api/dashboard -> ECharts options and table rows.  Money stays a
// decimal string in the tables; the charts need numbers, so the amount is
// converted for plotting only (Number of the string, no arithmetic).

export const PROMISE_OUTCOMES = ['kept', 'broken', 'pending']

const plot = (money) => {
  if (money === null || money === undefined || money === '') return 0
  const n = Number(money)
  return Number.isFinite(n) ? n : 0
}

// The bucket's count: the server names it `cases` (the brief said `accounts`).
export const bucketCount = (b) => Number(b && (b.cases ?? b.accounts)) || 0

export function bucketChart(buckets, { accounts = 'accounts', amount = 'amount' } = {}) {
  const list = Array.isArray(buckets) ? buckets : []
  return {
    tooltip: { trigger: 'axis' },
    legend: { data: [accounts, amount] },
    grid: { left: 60, right: 80, top: 36, bottom: 30 },
    xAxis: { type: 'category', data: list.map((b) => b.bucket) },
    yAxis: [
      { type: 'value', name: accounts, minInterval: 1 },
      { type: 'value', name: amount, position: 'right' }
    ],
    series: [
      { name: accounts, type: 'bar', data: list.map((b) => bucketCount(b)) },
      { name: amount, type: 'bar', yAxisIndex: 1, data: list.map((b) => plot(b.total_overdue)) }
    ]
  }
}

export function trendChart(trend, { accounts = 'accounts', amount = 'amount' } = {}) {
  const list = Array.isArray(trend) ? trend : []
  return {
    tooltip: { trigger: 'axis' },
    legend: { data: [accounts, amount] },
    grid: { left: 60, right: 80, top: 36, bottom: 30 },
    xAxis: { type: 'category', data: list.map((p) => p.date), boundaryGap: false },
    yAxis: [
      { type: 'value', name: accounts, minInterval: 1 },
      { type: 'value', name: amount, position: 'right' }
    ],
    series: [
      { name: accounts, type: 'line', data: list.map((p) => Number(p.overdue_accounts) || 0) },
      { name: amount, type: 'line', yAxisIndex: 1, data: list.map((p) => plot(p.total_overdue)) }
    ]
  }
}

// promises {taken, kept, broken, pending, kept_rate} -> pie data (labels by code).
export function promiseRows(promises) {
  const p = promises || {}
  return PROMISE_OUTCOMES.map((k) => ({ key: k, value: Number(p[k]) || 0 }))
}

export function promiseChart(promises, label = (k) => k) {
  return {
    tooltip: { trigger: 'item' },
    legend: { bottom: 0 },
    series: [
      {
        type: 'pie',
        radius: ['35%', '65%'],
        data: promiseRows(promises).map((r) => ({ name: label(r.key), value: r.value })),
        label: { formatter: '{b}: {c}' }
      }
    ]
  }
}

// kept_rate as a percentage text: 0.4567 -> "45.7%", "45.67" (already %) kept; null -> "—".
export function formatRate(rate) {
  if (rate === null || rate === undefined || rate === '') return '—'
  const n = Number(rate)
  if (!Number.isFinite(n)) return String(rate)
  const pct = n <= 1 ? n * 100 : n
  return `${pct.toFixed(1)}%`
}

// Collectors sorted by overdue cases (desc), then username.
export function collectorRows(collectors, teamId = null) {
  const list = (Array.isArray(collectors) ? collectors : []).filter((c) => teamId == null || c.team_id === teamId)
  return [...list].sort((a, b) => (b.overdue_cases || 0) - (a.overdue_cases || 0) || String(a.username).localeCompare(String(b.username)))
}

// Parts per million -> a percentage as text, exact ("10", "12.5"); null
// for a missing value.
export function percentFromPpm(value) {
  if (value === null || value === undefined) return null
  const ppm = Number(value)
  if (!Number.isFinite(ppm)) return null
  const whole = Math.floor(ppm / 10000)
  const rest = String(ppm % 10000).padStart(4, '0').replace(/0+$/, '')
  return rest ? `${whole}.${rest}` : String(whole)
}

// Approval limits {role, share_ppm, max} -> {percent: "10", max: "2000.00" | null}.
export function formatLimits(limits) {
  if (!limits) return null
  return { role: limits.role || null, percent: percentFromPpm(limits.share_ppm), max: limits.max ?? null }
}

// user id -> display name from the dashboard's collectors (+ any extra users).
export function userNames(...lists) {
  const m = new Map()
  for (const list of lists) for (const u of list || []) m.set(u.id, u.display_name || u.username)
  return (id) => (id == null ? '—' : m.get(id) || `#${id}`)
}
