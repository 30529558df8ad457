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

// A rate the server gives as a decimal fraction ("0.6680", "0.60", 2.5)
// as a percentage with one decimal, rounded half up on the exact digits
// (no float arithmetic): "0.6680" -> "66.8%", "1.2345" -> "123.5%"; null -> "—".
export function formatRate(rate) {
  if (rate === null || rate === undefined || rate === '') return '—'
  const m = /^(\d+)(?:\.(\d*))?$/.exec(String(rate).trim())
  if (!m) return String(rate)
  const frac = ((m[2] || '') + '0000').slice(0, 4)
  const units = Number(m[1]) * 10000 + Number(frac) // ten-thousandths
  const tenths = Math.floor((units + 5) / 10) // tenths of a percent
  return `${Math.floor(tenths / 10)}.${tenths % 10}%`
}

// The recovery trend: amount recovered per day (bars) and payments (line).
export function recoveryChart(recovery, { amount = 'amount', payments = 'payments' } = {}) {
  const days = (recovery && Array.isArray(recovery.days) && recovery.days) || []
  return {
    tooltip: { trigger: 'axis' },
    legend: { data: [amount, payments] },
    grid: { left: 70, right: 60, top: 36, bottom: 30 },
    xAxis: { type: 'category', data: days.map((d) => d.date) },
    yAxis: [
      { type: 'value', name: amount },
      { type: 'value', name: payments, position: 'right', minInterval: 1 }
    ],
    series: [
      { name: amount, type: 'bar', data: days.map((d) => plot(d.amount)) },
      { name: payments, type: 'line', yAxisIndex: 1, data: days.map((d) => Number(d.payments) || 0) }
    ]
  }
}

// One month of roll rates -> table rows: the bucket, its accounts at the
// previous month-end, one column per destination bucket (`to_<name>`),
// and the rates.  Buckets without accounts at the start are left out.
export function rollRows(month) {
  const rows = (month && Array.isArray(month.rows) && month.rows) || []
  return rows
    .filter((r) => Number(r.accounts) > 0)
    .map((r) => {
      const row = {
        bucket: r.bucket,
        accounts: r.accounts,
        forward_rate: r.forward_rate,
        stay_rate: r.stay_rate,
        back_rate: r.back_rate,
        cure_rate: r.cure_rate
      }
      for (const c of r.to || []) row['to_' + c.bucket] = c.accounts
      return row
    })
}

// The buckets named in the roll rates, in order.
export const rollBuckets = (rolls) => {
  const first = Array.isArray(rolls) && rolls[0]
  return first ? first.rows.map((r) => r.bucket) : []
}

// The forward (roll) rate of each bucket month by month, oldest first: a
// line per bucket that had accounts; the current bucket's roll is its
// flow into delinquency.  Percent values for plotting only.
export function rollTrendChart(rolls, { label = (b) => b } = {}) {
  const months = (Array.isArray(rolls) ? [...rolls] : []).reverse()
  const buckets = rollBuckets(rolls).slice(0, -1) // the last cannot roll on
  const pct = (rate) => (rate === null || rate === undefined ? null : Number(rate) * 100)
  return {
    tooltip: { trigger: 'axis', valueFormatter: (v) => (v == null ? '—' : `${v.toFixed(1)}%`) },
    legend: { data: buckets.map(label) },
    grid: { left: 50, right: 20, top: 36, bottom: 30 },
    xAxis: { type: 'category', data: months.map((m) => m.to.slice(0, 7)) },
    yAxis: { type: 'value', axisLabel: { formatter: '{value}%' } },
    series: buckets.map((b) => ({
      name: label(b),
      type: 'line',
      connectNulls: false,
      data: months.map((m) => {
        const row = m.rows.find((r) => r.bucket === b)
        return row ? pct(row.forward_rate) : null
      })
    }))
  }
}

// The top collectors by amount recovered, as horizontal bars (best on top).
export function rankingChart(collectors, { amount = 'amount', top = 10 } = {}) {
  const list = (Array.isArray(collectors) ? collectors : []).slice(0, top).reverse()
  return {
    tooltip: { trigger: 'axis' },
    grid: { left: 100, right: 30, top: 20, bottom: 30 },
    xAxis: { type: 'value', splitNumber: 3 },
    yAxis: { type: 'category', data: list.map((c) => c.display_name || c.username) },
    series: [{ name: amount, type: 'bar', data: list.map((c) => plot(c.recovered)) }]
  }
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
