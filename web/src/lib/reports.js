// The reports page (issue 8) and the dashboard's report summary: which
// filters each report takes, the query and download paths, the page's URL
// query, how a cell of each column type is shown, and the charts.  Pure
// functions of the API's answers (GET /api/reports/{key}); no I/O here.
//
// A report: {report, title, subtitle, meta, sheets: [{key, title,
// columns: [{key, title, type}], rows: [[cell…]], total}]}.  Types: text,
// int, money ("1234.56", yuan, a string — never a float here), rate
// ("0.1234", a ratio), date ("YYYY-MM-DD"); null is an empty cell.  When
// `total` is true the last row is the total.

import { buildQuery } from '../api/client.js'
import { formatMoney } from './money.js'

export const REPORT_KEYS = ['aging', 'roll', 'recovery', 'promises', 'activity', 'team', 'agencies']

// The filters of the day-end snapshot's combinations (creditor … arm):
// aging, roll rates and recovery are narrowed by every one of them.
const DIMS = ['creditor', 'product', 'province', 'segment', 'team', 'collector', 'agency', 'strategy', 'rule', 'arm']

// Which filter each report takes (src/batch/reports.c): `date` a single
// processed date, `range` the period from..to, `period` day|week.
export const REPORT_FILTERS = {
  aging: ['date', ...DIMS],
  roll: ['range', ...DIMS],
  recovery: ['range', ...DIMS],
  promises: ['range', 'team', 'collector', 'agency', 'creditor', 'product'],
  activity: ['range', 'team', 'collector'],
  team: ['date', 'period', 'team', 'collector', 'creditor', 'product', 'province', 'segment'],
  agencies: ['range', 'agency']
}

export const PRODUCTS = ['credit_card', 'consumer_loan', 'business_loan', 'invoice', 'other']
export const TEAM_PERIODS = ['day', 'week']

// The sheet with a chart beside it, per report.
export const CHART_SHEETS = { aging: 'whole', roll: 'trend', recovery: 'daily' }

export const takesFilter = (key, name) => (REPORT_FILTERS[key] || []).includes(name)

export function emptyFilters() {
  return {
    date: '',
    from: '',
    to: '',
    period: 'day',
    creditor: '',
    product: '',
    province: '',
    segment: '',
    team: null,
    collector: null,
    agency: null,
    strategy: null,
    rule: null,
    arm: null
  }
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/
const isDate = (v) => typeof v === 'string' && DATE_RE.test(v)
const text = (v) => (v === null || v === undefined ? '' : String(v).trim())
// A whole number ≥ min, else null ("", null, "x", 1.5 are none).
function whole(v, min) {
  if (v === null || v === undefined || v === '') return null
  const s = String(v).trim()
  if (!/^\d+$/.test(s)) return null
  const n = Number(s)
  return Number.isSafeInteger(n) && n >= min ? n : null
}

// The API query of a report for these filters: only the filters the report
// takes, and only those set.  Ids are numbers ≥ 1, the rule 1-based, the
// arm ≥ 0 (0 is the champion: kept).
export function reportQuery(key, filters = {}) {
  const f = { ...emptyFilters(), ...(filters || {}) }
  const q = {}
  const takes = (n) => takesFilter(key, n)
  if (takes('date') && isDate(f.date)) q.date = f.date
  if (takes('range')) {
    if (isDate(f.from)) q.from = f.from
    if (isDate(f.to)) q.to = f.to
  }
  if (takes('period') && TEAM_PERIODS.includes(f.period) && f.period !== 'day') q.period = f.period
  for (const n of ['creditor', 'product', 'province', 'segment']) if (takes(n) && text(f[n])) q[n] = text(f[n])
  for (const n of ['team', 'collector', 'agency', 'strategy', 'rule']) {
    const v = whole(f[n], 1)
    if (takes(n) && v !== null) q[n] = v
  }
  const arm = whole(f.arm, 0)
  if (takes('arm') && arm !== null) q.arm = arm
  return q
}

// GET path of a report: JSON for the screen, or a download —
// format "xlsx" (the whole workbook) or "csv" (one sheet: `sheet`).
export function reportPath(key, filters = {}, { format = null, sheet = null } = {}) {
  const q = reportQuery(key, filters)
  if (format && format !== 'json') q.format = format
  if (format === 'csv' && sheet) q.sheet = sheet
  return `/api/reports/${encodeURIComponent(key)}${buildQuery(q)}`
}

// The reports page's URL query: the report, its filters, the tab shown.
export function routeQueryOf(key, filters = {}, sheet = null) {
  const q = { report: key }
  for (const [k, v] of Object.entries(reportQuery(key, filters))) q[k] = String(v)
  if (sheet) q.sheet = sheet
  return q
}

// A link to the reports page (vue-router location) with these filters.
export const reportLink = (key, filters = {}, sheet = null) => ({ name: 'reports', query: routeQueryOf(key, filters, sheet) })

// The page's URL query -> {key, filters, sheet}; an unknown report is the
// first one, values that do not parse are left out.
export function fromRouteQuery(query = {}) {
  const one = (v) => (Array.isArray(v) ? v[0] : v)
  const key = REPORT_KEYS.includes(one(query.report)) ? one(query.report) : REPORT_KEYS[0]
  const f = emptyFilters()
  for (const n of ['date', 'from', 'to']) if (isDate(one(query[n]))) f[n] = one(query[n])
  if (TEAM_PERIODS.includes(one(query.period))) f.period = one(query.period)
  for (const n of ['creditor', 'product', 'province', 'segment']) f[n] = text(one(query[n]))
  for (const n of ['team', 'collector', 'agency', 'strategy', 'rule']) f[n] = whole(one(query[n]), 1)
  f.arm = whole(one(query.arm), 0)
  const sheet = typeof one(query.sheet) === 'string' && one(query.sheet) ? one(query.sheet) : null
  return { key, filters: f, sheet }
}

// The dashboard's filters {team, creditor, product, from, to} as the
// reports' filters.
export function filtersOfDashboard(q = {}) {
  return {
    ...emptyFilters(),
    team: whole(q.team, 1),
    creditor: text(q.creditor),
    product: text(q.product),
    from: isDate(q.from) ? q.from : '',
    to: isDate(q.to) ? q.to : ''
  }
}

// ---- cells ----

// "1234567" -> "1,234,567" (digits only; anything else as it is).
export function formatInt(value) {
  if (value === null || value === undefined || value === '') return ''
  const s = String(value).trim()
  const m = /^(-?)(\d+)$/.exec(s)
  if (!m) return s
  return m[1] + m[2].replace(/\B(?=(\d{3})+(?!\d))/g, ',')
}

// A ratio as a percentage with two decimals, from its digits (no float
// arithmetic, rounded half away from zero): "0.1234" -> "12.34%",
// "-0.27845" -> "-27.85%", "1" -> "100.00%"; null/"" -> ""; anything
// else as it is.
export function formatPercent(rate, { empty = '' } = {}) {
  if (rate === null || rate === undefined || rate === '') return empty
  const s = String(rate).trim()
  const m = /^([-+]?)(\d*)(?:\.(\d*))?$/.exec(s)
  if (!m || (m[2] === '' && (m[3] === undefined || m[3] === ''))) return s
  const sign = m[1] === '-' ? '-' : ''
  const frac = (m[3] || '') + '00000'
  // hundredths of a percent = ten-thousandths of the ratio, as a BigInt
  let units = BigInt(m[2] || '0') * 10000n + BigInt(frac.slice(0, 4))
  if (Number(frac[4]) >= 5) units += 1n
  const whole = units / 100n
  const cents = String(units % 100n).padStart(2, '0')
  return `${units === 0n ? '' : sign}${whole}.${cents}%`
}

// Columns that hold an id (a case number): shown without separators.
const ID_COLUMNS = new Set(['case', 'case_id', 'id'])

// One cell as shown: money with thousands separators, rates as percent,
// ints grouped (ids not), dates and text as they are, null empty.
export function formatCell(value, column = {}) {
  if (value === null || value === undefined) return ''
  switch (column.type) {
    case 'money':
      return formatMoney(value, { empty: '' })
    case 'rate':
      return formatPercent(value)
    case 'int':
      return ID_COLUMNS.has(column.key) || /_id$/.test(column.key || '') ? String(value) : formatInt(value)
    default:
      return String(value)
  }
}

export const isNumeric = (column) => ['int', 'money', 'rate'].includes(column && column.type)
export const cellAlign = (column) => (isNumeric(column) ? 'right' : 'left')

// A column's minimum width in pixels: by its type and its title's length.
export function columnWidth(column = {}) {
  const title = String(column.title || '')
  // CJK characters take about twice a Latin one
  const chars = [...title].reduce((n, ch) => n + (ch.charCodeAt(0) > 0x2e80 ? 2 : 1), 0)
  const byTitle = chars * 7 + 28
  const byType = { money: 120, rate: 86, int: 80, date: 104, text: 150 }[column.type] || 150
  return Math.min(Math.max(byTitle, byType), 240)
}

// Table rows for el-table: {cells, total, index}; the last row is the total
// when the sheet says so.
export function sheetRows(sheet) {
  const rows = (sheet && Array.isArray(sheet.rows) && sheet.rows) || []
  const last = sheet && sheet.total ? rows.length - 1 : -1
  return rows.map((cells, index) => ({ cells: Array.isArray(cells) ? cells : [], total: index === last, index }))
}

// One page of a long sheet: `size` body rows, the total row (if any) after
// each page, so it is always in view.  page is 1-based.
export function pageRows(sheet, page = 1, size = 100) {
  const rows = sheetRows(sheet)
  const total = rows.length && rows[rows.length - 1].total ? rows[rows.length - 1] : null
  const body = total ? rows.slice(0, -1) : rows
  const p = Math.max(1, Math.floor(Number(page)) || 1)
  const slice = body.slice((p - 1) * size, p * size)
  return total ? [...slice, total] : slice
}

// How many body rows (the total row apart).
export const bodyCount = (sheet) => {
  const n = (sheet && Array.isArray(sheet.rows) && sheet.rows.length) || 0
  return sheet && sheet.total && n ? n - 1 : n
}

export const columnIndex = (sheet, key) => ((sheet && sheet.columns) || []).findIndex((c) => c.key === key)

export const findSheet = (report, key) => ((report && report.sheets) || []).find((s) => s.key === key) || null

// A sheet's rows as objects keyed by column key; `total` on each; the
// total row too unless withTotal is false.
export function rowObjects(sheet, { withTotal = true } = {}) {
  const cols = (sheet && sheet.columns) || []
  return sheetRows(sheet)
    .filter((r) => withTotal || !r.total)
    .map((r) => {
      const o = { total: r.total }
      cols.forEach((c, i) => {
        o[c.key] = r.cells[i] === undefined ? null : r.cells[i]
      })
      return o
    })
}

// The total row of a sheet as an object, or null.
export function totalRow(sheet) {
  const rows = rowObjects(sheet)
  return rows.length && rows[rows.length - 1].total ? rows[rows.length - 1] : null
}

// ---- downloads ----

// The file name of a Content-Disposition header (filename*=UTF-8''… first,
// then filename="…"), else the fallback; never a path.
export function filenameOf(disposition, fallback = 'report') {
  const h = String(disposition || '')
  let name = null
  const star = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(h)
  if (star) {
    try {
      name = decodeURIComponent(star[1].trim().replace(/^"|"$/g, ''))
    } catch {
      name = null
    }
  }
  if (!name) {
    const plain = /filename\s*=\s*"([^"]*)"/.exec(h) || /filename\s*=\s*([^;\s]+)/.exec(h)
    if (plain) name = plain[1]
  }
  name = name ? name.replace(/^.*[\\/]/, '').trim() : ''
  return name || fallback
}

// The name a download takes when the server gives none.
export const fallbackName = (key, format, sheet) =>
  `huikuan-${key}${format === 'csv' && sheet ? `-${sheet}` : ''}.${format === 'csv' ? 'csv' : 'xlsx'}`

// ---- charts (ECharts options; numbers for plotting only) ----

const plot = (v) => {
  if (v === null || v === undefined || v === '') return null
  const n = Number(v)
  return Number.isFinite(n) ? n : null
}
const pct = (v) => {
  const n = plot(v)
  return n === null ? null : Math.round(n * 1000000) / 10000
}
const pctTip = (v) => (v == null ? '—' : `${Number(v).toFixed(2)}%`)
// axis names run inwards from their axis, so a long one is not cut off
const LEFT_NAME = { align: 'left' }
const RIGHT_NAME = { align: 'right' }

// Aging (sheet whole): bars of the total overdue per bucket, the accounts
// on a second axis; the total row left out.
export function agingChart(sheet, { amount = 'total overdue', accounts = 'accounts' } = {}) {
  const rows = rowObjects(sheet, { withTotal: false })
  return {
    tooltip: { trigger: 'axis' },
    legend: { data: [amount, accounts] },
    grid: { left: 80, right: 60, top: 36, bottom: 30 },
    xAxis: { type: 'category', data: rows.map((r) => r.bucket) },
    yAxis: [
      { type: 'value', name: amount, nameTextStyle: LEFT_NAME },
      { type: 'value', name: accounts, position: 'right', minInterval: 1, nameTextStyle: RIGHT_NAME }
    ],
    series: [
      { name: amount, type: 'bar', data: rows.map((r) => plot(r.total_overdue)) },
      { name: accounts, type: 'line', yAxisIndex: 1, data: rows.map((r) => plot(r.accounts)) }
    ]
  }
}

// Roll rates (sheet trend): the forward rate of each bucket over the
// month-ends, a line per bucket (the last bucket cannot roll on: left out).
export function rollTrendChart(sheet) {
  const rows = rowObjects(sheet, { withTotal: false })
  const months = [...new Set(rows.map((r) => r.month_end))].sort()
  const buckets = [...new Set(rows.map((r) => r.from_bucket))]
  const rolling = buckets.slice(0, -1)
  return {
    tooltip: { trigger: 'axis', valueFormatter: pctTip },
    legend: { data: rolling },
    grid: { left: 50, right: 20, top: 36, bottom: 30 },
    xAxis: { type: 'category', data: months.map((m) => String(m).slice(0, 7)) },
    yAxis: { type: 'value', axisLabel: { formatter: '{value}%' } },
    series: rolling.map((b) => ({
      name: b,
      type: 'line',
      connectNulls: false,
      data: months.map((m) => {
        const r = rows.find((x) => x.month_end === m && x.from_bucket === b)
        return r ? pct(r.forward) : null
      })
    }))
  }
}

// Recovery (sheet daily): the cumulative recovery rate as a line, each
// day's amount recovered as bars on a second axis.
export function recoveryDailyChart(sheet, { rate = 'cumulative rate', amount = 'recovered' } = {}) {
  const rows = rowObjects(sheet, { withTotal: false })
  return {
    tooltip: { trigger: 'axis' },
    legend: { data: [rate, amount] },
    grid: { left: 60, right: 80, top: 36, bottom: 30 },
    xAxis: { type: 'category', data: rows.map((r) => r.day) },
    yAxis: [
      { type: 'value', name: rate, axisLabel: { formatter: '{value}%' }, nameTextStyle: LEFT_NAME },
      { type: 'value', name: amount, position: 'right', nameTextStyle: RIGHT_NAME }
    ],
    series: [
      { name: rate, type: 'line', data: rows.map((r) => pct(r.recovery_rate)), tooltip: { valueFormatter: pctTip } },
      { name: amount, type: 'bar', yAxisIndex: 1, data: rows.map((r) => plot(r.recovered)) }
    ]
  }
}

// The chart of a report's sheet, or null when that sheet has none.
export function chartOf(reportKey, sheet, labels = {}) {
  if (!sheet || CHART_SHEETS[reportKey] !== sheet.key || !bodyCount(sheet)) return null
  if (reportKey === 'aging') return agingChart(sheet, labels)
  if (reportKey === 'roll') return rollTrendChart(sheet)
  if (reportKey === 'recovery') return recoveryDailyChart(sheet, labels)
  return null
}

// ---- the dashboard's summary ----

// Aging: accounts and total overdue per bucket, the total row last.
export function agingSummary(report) {
  return rowObjects(findSheet(report, 'whole')).map((r) => ({
    bucket: r.bucket,
    accounts: r.accounts,
    total_overdue: r.total_overdue,
    total: r.total
  }))
}

// Recovery: the whole portfolio's total row (rate, recovered, base).
export function recoverySummary(report) {
  const t = totalRow(findSheet(report, 'whole'))
  if (!t) return null
  return {
    rate: t.recovery_rate,
    recovered: t.recovered,
    base_overdue: t.base_overdue,
    payments: t.payments,
    from: report.meta && report.meta.from,
    to: report.meta && report.meta.to
  }
}

// Roll rates: each starting bucket's accounts and forward rate, from the
// matrix of the latest month-end (buckets that started empty left out).
export function rollSummary(report) {
  return rowObjects(findSheet(report, 'matrix'))
    .filter((r) => Number(r.accounts) > 0)
    .map((r) => ({ bucket: r.from_bucket, accounts: r.accounts, forward: r.forward }))
}

// Promises: kept rate by team, the total row last.
export function keptByTeam(report) {
  return rowObjects(findSheet(report, 'by_team')).map((r) => ({
    team: r.team,
    promises: r.promises,
    kept: r.kept,
    broken: r.broken,
    kept_rate: r.kept_rate,
    total: r.total
  }))
}
