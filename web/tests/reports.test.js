import { describe, expect, it, vi } from 'vitest'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  CHART_SHEETS,
  REPORT_FILTERS,
  REPORT_KEYS,
  agingChart,
  agingSummary,
  bodyCount,
  cellAlign,
  chartOf,
  columnWidth,
  emptyFilters,
  fallbackName,
  filenameOf,
  filtersOfDashboard,
  formatCell,
  formatInt,
  formatPercent,
  fromRouteQuery,
  keptByTeam,
  pageRows,
  recoveryDailyChart,
  recoverySummary,
  reportLink,
  reportPath,
  reportQuery,
  rollSummary,
  rollTrendChart,
  routeQueryOf,
  rowObjects,
  sheetRows,
  takesFilter,
  totalRow
} from '../src/lib/reports.js'
import { createApiClient, createEndpoints } from '../src/api/client.js'

// Trimmed answers of the demo server (GET /api/reports/{key}).
const col = (key, title, type) => ({ key, title, type })
const AGING = {
  report: 'aging',
  title: '账龄分析',
  subtitle: '截至 2026-12-08',
  meta: { date: '2026-12-08' },
  sheets: [
    {
      key: 'whole',
      title: '合计',
      total: true,
      columns: [col('bucket', '账龄', 'text'), col('accounts', '账户数', 'int'), col('total_overdue', '逾期总额', 'money'), col('share_overdue', '逾期金额占比', 'rate')],
      rows: [
        ['M0', 1998, '0.00', '0.0000'],
        ['M1', 341, '2530516.90', '0.1390'],
        ['M7+', 186, '7370739.64', '0.4047'],
        ['合计', 2525, '9901256.54', '1.0000']
      ]
    }
  ]
}
const ROLL = {
  report: 'roll',
  meta: { from: '2025-12-08', to: '2026-12-08', month_end: '2026-11-30' },
  sheets: [
    {
      key: 'matrix',
      total: false,
      columns: [col('from_bucket', '上月末账龄', 'text'), col('accounts', '账户数', 'int'), col('forward', '前滚率', 'rate')],
      rows: [['M0', 2262, '0.2335'], ['M1', 251, '0.4322'], ['M6', 0, null], ['M7+', 121, '0.0000']]
    },
    {
      key: 'trend',
      total: false,
      columns: [col('month_end', '月末', 'date'), col('from_bucket', '上月末账龄', 'text'), col('accounts', '账户数', 'int'), col('forward', '前滚率', 'rate')],
      rows: [
        ['2026-10-31', 'M0', 2900, '0.0511'],
        ['2026-10-31', 'M1', 44, '0.1485'],
        ['2026-10-31', 'M7+', 100, '0.0000'],
        ['2026-11-30', 'M0', 2262, '0.2335'],
        ['2026-11-30', 'M7+', 121, '0.0000']
      ]
    }
  ]
}
const RECOVERY = {
  report: 'recovery',
  meta: { from: '2026-12-01', to: '2026-12-08', base_date: '2026-11-30' },
  sheets: [
    {
      key: 'whole',
      total: true,
      columns: [col('bucket', '还款前账龄', 'text'), col('base_overdue', '期初逾期金额', 'money'), col('payments', '逾期还款笔数', 'int'), col('recovered', '回收金额', 'money'), col('recovery_rate', '回收率', 'rate')],
      rows: [['M0', '0.00', 0, '0.00', null], ['M1', '2444721.34', 269, '953777.96', '0.3901'], ['合计', '17396213.94', 375, '1409012.78', '0.0810']]
    },
    {
      key: 'daily',
      total: false,
      columns: [col('day', '日期', 'date'), col('payments', '逾期还款笔数', 'int'), col('recovered', '回收金额', 'money'), col('cumulative', '累计回收', 'money'), col('recovery_rate', '累计回收率', 'rate')],
      rows: [['2026-12-01', 24, '66509.94', '66509.94', '0.0038'], ['2026-12-02', 29, '95092.48', '161602.42', '0.0093']]
    }
  ]
}
const PROMISES = {
  report: 'promises',
  meta: { from: '2026-12-01', to: '2026-12-08' },
  sheets: [
    {
      key: 'by_team',
      total: true,
      columns: [col('team', '团队', 'text'), col('promises', '承诺笔数', 'int'), col('kept', '兑现笔数', 'int'), col('broken', '违约笔数', 'int'), col('kept_rate', '兑现率', 'rate')],
      rows: [['一组', 137, 52, 37, '0.5843'], ['二组', 18, 15, 1, '0.9375'], ['合计', 155, 67, 38, '0.6381']]
    }
  ]
}

describe('cells', () => {
  it('money: thousands separators on the string, never a float', () => {
    const m = col('total_overdue', '', 'money')
    expect(formatCell('1234567.89', m)).toBe('1,234,567.89')
    expect(formatCell('0.00', m)).toBe('0.00')
    expect(formatCell('-1234.50', m)).toBe('-1,234.50')
    expect(formatCell('90071992547409931.07', m)).toBe('90,071,992,547,409,931.07')
    expect(formatCell(null, m)).toBe('')
  })
  it('rates: a ratio as a percentage with two decimals, from its digits', () => {
    const r = col('rate', '', 'rate')
    expect(formatCell('0.1234', r)).toBe('12.34%')
    expect(formatCell('1.0000', r)).toBe('100.00%')
    expect(formatCell('0.0000', r)).toBe('0.00%')
    expect(formatCell('-0.2785', r)).toBe('-27.85%')
    expect(formatCell('0.0041', r)).toBe('0.41%')
    expect(formatCell(null, r)).toBe('')
    expect(formatPercent('0.12345')).toBe('12.35%') // half away from zero
    expect(formatPercent('-0.12345')).toBe('-12.35%')
    expect(formatPercent('0.12344')).toBe('12.34%')
    expect(formatPercent('2.5')).toBe('250.00%')
    expect(formatPercent('.5')).toBe('50.00%')
    expect(formatPercent(0.5)).toBe('50.00%')
    expect(formatPercent('-0.00001')).toBe('0.00%') // no "-0.00%"
    expect(formatPercent('n/a')).toBe('n/a')
    expect(formatPercent('')).toBe('')
    expect(formatPercent(null, { empty: '—' })).toBe('—')
    // 0.1 + 0.2 style float noise never shows: 0.1234 * 100 = 12.340000000000002
    expect(formatPercent('0.1234')).toBe('12.34%')
  })
  it('ints grouped, ids not; dates and text as they are', () => {
    expect(formatCell(1234567, col('accounts', '', 'int'))).toBe('1,234,567')
    expect(formatCell(0, col('accounts', '', 'int'))).toBe('0')
    expect(formatCell(2730, col('case', '', 'int'))).toBe('2730')
    expect(formatCell(12345, col('account_id', '', 'int'))).toBe('12345')
    expect(formatCell('2026-12-08', col('day', '', 'date'))).toBe('2026-12-08')
    expect(formatCell('M7+', col('bucket', '', 'text'))).toBe('M7+')
    expect(formatCell('', col('group', '', 'text'))).toBe('')
    expect(formatInt('-12000')).toBe('-12,000')
    expect(formatInt('x')).toBe('x')
  })
  it('numbers right-aligned, text left; widths by type and title', () => {
    expect(cellAlign(col('a', '', 'money'))).toBe('right')
    expect(cellAlign(col('a', '', 'int'))).toBe('right')
    expect(cellAlign(col('a', '', 'rate'))).toBe('right')
    expect(cellAlign(col('a', '', 'text'))).toBe('left')
    expect(cellAlign(col('a', '', 'date'))).toBe('left')
    expect(columnWidth(col('a', '逾期总额', 'money'))).toBe(120)
    expect(columnWidth(col('a', '期初逾期账户数（按还款前账龄）', 'int'))).toBeGreaterThan(150)
    expect(columnWidth(col('a', 'x'.repeat(100), 'text'))).toBe(240)
  })
})

describe('rows', () => {
  const whole = AGING.sheets[0]
  it('the last row is the total when the sheet says so', () => {
    const rows = sheetRows(whole)
    expect(rows.map((r) => r.total)).toEqual([false, false, false, true])
    expect(sheetRows(ROLL.sheets[0]).some((r) => r.total)).toBe(false)
    expect(sheetRows(null)).toEqual([])
    expect(bodyCount(whole)).toBe(3)
    expect(bodyCount(ROLL.sheets[0])).toBe(4)
  })
  it('pages keep the total row in view', () => {
    const big = { total: true, columns: [col('n', '', 'int')], rows: [...Array.from({ length: 250 }, (_, i) => [i]), [999]] }
    const p1 = pageRows(big, 1, 100)
    expect(p1.length).toBe(101)
    expect(p1[0].cells[0]).toBe(0)
    expect(p1[100]).toMatchObject({ total: true, cells: [999] })
    const p3 = pageRows(big, 3, 100)
    expect(p3.map((r) => r.cells[0])).toEqual([...Array.from({ length: 50 }, (_, i) => 200 + i), 999])
    expect(pageRows({ total: false, rows: [[1], [2], [3]] }, 2, 2).map((r) => r.cells[0])).toEqual([3])
    expect(pageRows(big, 'x', 100).length).toBe(101)
  })
  it('rows as objects, the total row', () => {
    expect(rowObjects(whole)[1]).toEqual({ total: false, bucket: 'M1', accounts: 341, total_overdue: '2530516.90', share_overdue: '0.1390' })
    expect(rowObjects(whole, { withTotal: false }).length).toBe(3)
    expect(totalRow(whole)).toMatchObject({ bucket: '合计', total_overdue: '9901256.54', total: true })
    expect(totalRow(ROLL.sheets[0])).toBe(null)
  })
})

describe('queries and download paths', () => {
  const f = {
    ...emptyFilters(),
    date: '2026-12-08',
    from: '2026-11-01',
    to: '2026-11-30',
    period: 'week',
    creditor: ' HB-BANK ',
    product: 'credit_card',
    province: '上海',
    segment: '',
    team: 2,
    collector: '4',
    agency: 1,
    strategy: 2,
    rule: 9,
    arm: 0
  }
  it('each report takes only its filters', () => {
    expect(reportQuery('aging', f)).toEqual({
      date: '2026-12-08', creditor: 'HB-BANK', product: 'credit_card', province: '上海', team: 2, collector: 4, agency: 1, strategy: 2, rule: 9, arm: 0
    })
    expect(reportQuery('recovery', f)).toMatchObject({ from: '2026-11-01', to: '2026-11-30', arm: 0 })
    expect(reportQuery('recovery', f).date).toBeUndefined()
    expect(reportQuery('promises', f)).toEqual({ from: '2026-11-01', to: '2026-11-30', team: 2, collector: 4, agency: 1, creditor: 'HB-BANK', product: 'credit_card' })
    expect(reportQuery('activity', f)).toEqual({ from: '2026-11-01', to: '2026-11-30', team: 2, collector: 4 })
    expect(reportQuery('team', f)).toEqual({ date: '2026-12-08', period: 'week', team: 2, collector: 4, creditor: 'HB-BANK', product: 'credit_card', province: '上海' })
    expect(reportQuery('agencies', f)).toEqual({ from: '2026-11-01', to: '2026-11-30', agency: 1 })
    for (const k of REPORT_KEYS) expect(REPORT_FILTERS[k], k).toBeTruthy()
    expect(takesFilter('aging', 'date')).toBe(true)
    expect(takesFilter('aging', 'range')).toBe(false)
    expect(takesFilter('nope', 'date')).toBe(false)
  })
  it('empty and bad values are left out; the champion arm 0 is kept', () => {
    expect(reportQuery('aging', emptyFilters())).toEqual({})
    expect(reportQuery('team', { period: 'day' })).toEqual({}) // the server's default
    expect(reportQuery('aging', { date: '2026-1-8', team: 0, collector: -1, rule: 0, arm: '', strategy: 'x' })).toEqual({})
    expect(reportQuery('aging', { arm: 0 })).toEqual({ arm: 0 })
    expect(reportQuery('aging', { arm: '1' })).toEqual({ arm: 1 })
    expect(reportQuery('aging', { rule: 1.5 })).toEqual({})
    expect(reportQuery('roll', { from: '2026-01-01' })).toEqual({ from: '2026-01-01' })
  })
  it('download paths: the workbook, or one sheet as CSV', () => {
    expect(reportPath('aging', f, { format: 'xlsx', sheet: 'by_team' })).toBe(
      '/api/reports/aging?date=2026-12-08&creditor=HB-BANK&product=credit_card&province=%E4%B8%8A%E6%B5%B7&team=2&collector=4&agency=1&strategy=2&rule=9&arm=0&format=xlsx'
    )
    expect(reportPath('agencies', f, { format: 'csv', sheet: 'lines' })).toBe('/api/reports/agencies?from=2026-11-01&to=2026-11-30&agency=1&format=csv&sheet=lines')
    expect(reportPath('recovery', {}, { format: 'csv', sheet: 'arms' })).toBe('/api/reports/recovery?format=csv&sheet=arms')
    expect(reportPath('recovery', {}, { format: 'csv' })).toBe('/api/reports/recovery?format=csv')
    expect(reportPath('recovery', {})).toBe('/api/reports/recovery')
    expect(reportPath('recovery', {}, { format: 'json', sheet: 'arms' })).toBe('/api/reports/recovery')
    expect(reportPath('aging', { creditor: 'A&B=1' }, { format: 'xlsx' })).toBe('/api/reports/aging?creditor=A%26B%3D1&format=xlsx')
  })
  it('file names from Content-Disposition', () => {
    expect(filenameOf('attachment; filename="huikuan-aging-2026-12-08.xlsx"')).toBe('huikuan-aging-2026-12-08.xlsx')
    expect(filenameOf("attachment; filename*=UTF-8''%E8%B4%A6%E9%BE%84.csv; filename=\"x.csv\"")).toBe('账龄.csv')
    expect(filenameOf('attachment; filename=plain.csv')).toBe('plain.csv')
    expect(filenameOf('attachment; filename="../../etc/passwd"')).toBe('passwd')
    expect(filenameOf(null, 'fallback.xlsx')).toBe('fallback.xlsx')
    expect(filenameOf('attachment', 'f.csv')).toBe('f.csv')
    expect(fallbackName('aging', 'xlsx', 'whole')).toBe('huikuan-aging.xlsx')
    expect(fallbackName('aging', 'csv', 'by_team')).toBe('huikuan-aging-by_team.csv')
  })
})

describe('the page\'s URL', () => {
  it('the report, its filters and the tab round-trip through the query', () => {
    const f = { ...emptyFilters(), from: '2026-11-01', to: '2026-11-30', team: 1, arm: 0, creditor: 'HB-BANK' }
    const q = routeQueryOf('recovery', f, 'arms')
    expect(q).toEqual({ report: 'recovery', from: '2026-11-01', to: '2026-11-30', creditor: 'HB-BANK', team: '1', arm: '0', sheet: 'arms' })
    const back = fromRouteQuery(q)
    expect(back.key).toBe('recovery')
    expect(back.sheet).toBe('arms')
    expect(reportQuery('recovery', back.filters)).toEqual(reportQuery('recovery', f))
  })
  it('unknown reports and bad values fall back', () => {
    const r = fromRouteQuery({ report: 'nope', date: 'yesterday', team: 'x', arm: '-1', period: 'month', sheet: '' })
    expect(r.key).toBe('aging')
    expect(r.filters).toEqual(emptyFilters())
    expect(r.sheet).toBe(null)
    expect(fromRouteQuery({ report: ['team', 'roll'], period: 'week' })).toMatchObject({ key: 'team', filters: { period: 'week' } })
    expect(fromRouteQuery().key).toBe('aging')
  })
  it('dashboard links carry the dashboard\'s filters', () => {
    const d = filtersOfDashboard({ team: 2, creditor: 'HB-BANK', product: 'invoice', from: '2026-11-01', to: 'bad' })
    expect(d).toMatchObject({ team: 2, creditor: 'HB-BANK', product: 'invoice', from: '2026-11-01', to: '' })
    expect(reportLink('aging', d, 'whole')).toEqual({ name: 'reports', query: { report: 'aging', creditor: 'HB-BANK', product: 'invoice', team: '2', sheet: 'whole' } })
    expect(reportLink('promises', filtersOfDashboard({}), 'by_team')).toEqual({ name: 'reports', query: { report: 'promises', sheet: 'by_team' } })
  })
})

describe('charts', () => {
  it('aging: total overdue per bucket, the total row left out', () => {
    const o = agingChart(AGING.sheets[0], { amount: 'A', accounts: 'N' })
    expect(o.xAxis.data).toEqual(['M0', 'M1', 'M7+'])
    expect(o.series[0]).toMatchObject({ name: 'A', type: 'bar', data: [0, 2530516.9, 7370739.64] })
    expect(o.series[1].data).toEqual([1998, 341, 186])
  })
  it('roll rates: a forward-rate line per bucket over the month-ends, the last bucket left out', () => {
    const o = rollTrendChart(ROLL.sheets[1])
    expect(o.xAxis.data).toEqual(['2026-10', '2026-11'])
    expect(o.series.map((s) => s.name)).toEqual(['M0', 'M1'])
    expect(o.series[0].data).toEqual([5.11, 23.35])
    expect(o.series[1].data).toEqual([14.85, null])
  })
  it('recovery: the cumulative rate as a line', () => {
    const o = recoveryDailyChart(RECOVERY.sheets[1], { rate: 'R', amount: 'A' })
    expect(o.xAxis.data).toEqual(['2026-12-01', '2026-12-02'])
    expect(o.series[0]).toMatchObject({ name: 'R', type: 'line', data: [0.38, 0.93] })
    expect(o.series[1].data).toEqual([66509.94, 95092.48])
  })
  it('a chart only beside its sheet, and only with rows', () => {
    expect(CHART_SHEETS).toEqual({ aging: 'whole', roll: 'trend', recovery: 'daily' })
    expect(chartOf('aging', AGING.sheets[0])).not.toBe(null)
    expect(chartOf('roll', ROLL.sheets[0])).toBe(null)
    expect(chartOf('roll', ROLL.sheets[1])).not.toBe(null)
    expect(chartOf('recovery', RECOVERY.sheets[0])).toBe(null)
    expect(chartOf('recovery', { ...RECOVERY.sheets[1], rows: [] })).toBe(null)
    expect(chartOf('promises', PROMISES.sheets[0])).toBe(null)
    expect(chartOf('aging', null)).toBe(null)
  })
})

describe('the dashboard\'s summary', () => {
  it('aging by bucket with the total last', () => {
    const a = agingSummary(AGING)
    expect(a.map((r) => r.bucket)).toEqual(['M0', 'M1', 'M7+', '合计'])
    expect(a[3]).toEqual({ bucket: '合计', accounts: 2525, total_overdue: '9901256.54', total: true })
    expect(agingSummary(null)).toEqual([])
  })
  it('this month\'s recovery: the total row of the whole sheet', () => {
    expect(recoverySummary(RECOVERY)).toEqual({ rate: '0.0810', recovered: '1409012.78', base_overdue: '17396213.94', payments: 375, from: '2026-12-01', to: '2026-12-08' })
    expect(recoverySummary({ sheets: [] })).toBe(null)
  })
  it('forward rates of the buckets that started with accounts', () => {
    expect(rollSummary(ROLL)).toEqual([
      { bucket: 'M0', accounts: 2262, forward: '0.2335' },
      { bucket: 'M1', accounts: 251, forward: '0.4322' },
      { bucket: 'M7+', accounts: 121, forward: '0.0000' }
    ])
  })
  it('kept rate by team', () => {
    expect(keptByTeam(PROMISES).map((r) => [r.team, r.kept_rate, r.total])).toEqual([
      ['一组', '0.5843', false],
      ['二组', '0.9375', false],
      ['合计', '0.6381', true]
    ])
  })
})

describe('downloads through the API client', () => {
  function client(answer) {
    const calls = []
    const onUnauthorized = vi.fn()
    const fetchImpl = vi.fn(async (url, init) => {
      calls.push({ url, init })
      return {
        ok: answer.status < 300,
        status: answer.status,
        statusText: '',
        headers: new Map(Object.entries(answer.headers || {}).map(([k, v]) => [k, v])),
        text: async () => answer.text || '',
        blob: async () => new Blob([answer.bytes || ''])
      }
    })
    const c = createApiClient({ fetchImpl, getLanguage: () => 'en', getCsrfToken: () => 'tok', onUnauthorized })
    return { api: createEndpoints(c), calls, onUnauthorized }
  }
  it('fetches the path with the session and the UI language; answers the Blob and its name', async () => {
    const { api, calls } = client({ status: 200, headers: { 'Content-Disposition': 'attachment; filename="huikuan-aging-2026-12-08.xlsx"' }, bytes: 'PK\u0003\u0004' })
    const path = reportPath('aging', { team: 1 }, { format: 'xlsx' })
    const r = await api.reportFile(path)
    expect(calls[0].url).toBe('/api/reports/aging?team=1&format=xlsx')
    expect(calls[0].init).toMatchObject({ method: 'GET', credentials: 'same-origin' })
    expect(calls[0].init.headers['Accept-Language']).toBe('en')
    expect(calls[0].init.headers['X-CSRF-Token']).toBeUndefined()
    expect(filenameOf(r.disposition)).toBe('huikuan-aging-2026-12-08.xlsx')
    expect(new Uint8Array(await r.blob.arrayBuffer()).slice(0, 2)).toEqual(new Uint8Array([0x50, 0x4b]))
  })
  it('an error answer is an ApiError with the server\'s message; 401 is the session expiring', async () => {
    const { api } = client({ status: 403, text: JSON.stringify({ code: 'HK_EREFUSED', message: 'outside what you may see' }) })
    await expect(api.reportFile('/api/reports/aging?team=2&format=csv')).rejects.toMatchObject({ status: 403, code: 'HK_EREFUSED', message: 'outside what you may see' })
    const gone = client({ status: 401, text: '{"code":"HK_EAUTH","message":"log in"}' })
    await expect(gone.api.reportFile('/api/reports/aging?format=xlsx')).rejects.toMatchObject({ status: 401 })
    expect(gone.onUnauthorized).toHaveBeenCalledTimes(1)
  })
  it('the JSON report goes through the usual GET with the query', async () => {
    const { api, calls } = client({ status: 200, text: JSON.stringify(AGING) })
    const r = await api.report('aging', reportQuery('aging', { team: 1, date: '2026-12-08' }))
    expect(calls[0].url).toBe('/api/reports/aging?date=2026-12-08&team=1')
    expect(r.report).toBe('aging')
  })
})

describe('messages', () => {
  const root = new URL('../', import.meta.url).pathname
  const load = (lang) => JSON.parse(readFileSync(join(root, 'src/i18n/locales', `${lang}.json`), 'utf8'))
  it('the reports page\'s messages in both languages', () => {
    const zh = load('zh')
    const en = load('en')
    expect(zh.nav.reports).toBe('报表')
    expect(en.nav.reports).toBe('Reports')
    expect(Object.keys(zh.reports).sort()).toEqual(Object.keys(en.reports).sort())
    expect(zh.reports.exportXlsx).toBe('导出 Excel')
    expect(zh.reports.exportCsv).toBe('导出 CSV')
  })
})
