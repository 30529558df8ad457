// @vitest-environment happy-dom
// The reports page mounted (Vue + Element Plus in happy-dom, the API
// mocked): a sheet rendered from its columns (money grouped and
// right-aligned, rates as percent, the total row bold), the tabs, and the
// downloads' paths with the filters of the report shown.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createApp, defineComponent, h, nextTick } from 'vue'
import ElementPlus from 'element-plus'
import { createPinia } from 'pinia'
import { createMemoryHistory, createRouter } from 'vue-router'

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
        ['M1', 341, '2530516.90', '0.1390'],
        ['M2', 146, '1792665.87', null],
        ['合计', 487, '4323182.77', '1.0000']
      ]
    },
    {
      key: 'by_team',
      title: '按团队',
      total: true,
      columns: [col('group', '团队', 'text'), col('bucket', '账龄', 'text'), col('total_overdue', '逾期总额', 'money')],
      rows: [['一组', 'M1', '1000.00'], ['合计', '', '1000.00']]
    }
  ]
}

const calls = vi.hoisted(() => ({ report: [], file: [], saved: [] }))
vi.mock('../src/api/index.js', () => ({
  api: {
    reports: async () => ({ reports: [{ key: 'aging', title: '账龄分析' }, { key: 'recovery', title: '回收率' }] }),
    report: async (key, query) => {
      calls.report.push({ key, query })
      return AGING
    },
    reportFile: async (path) => {
      calls.file.push(path)
      const name = path.includes('format=csv') ? 'huikuan-aging-2026-12-08-by_team.csv' : 'huikuan-aging-2026-12-08.xlsx'
      return { blob: new Blob(['x']), disposition: `attachment; filename="${name}"` }
    },
    teams: async () => ({ teams: [{ id: 1, name: '一组' }] }),
    users: async () => ({ users: [] }),
    agencies: async () => ({ agencies: [] }),
    strategies: async () => ({ versions: [] }),
    dashboard: async () => ({ collectors: [] })
  },
  ApiError: Error
}))
vi.mock('../src/lib/letters.js', async (original) => ({
  ...(await original()),
  saveBlob: (blob, name) => calls.saved.push(name)
}))
// no canvas in happy-dom: the chart is a placeholder that shows its option
vi.mock('../src/components/EChart.vue', () => ({
  default: defineComponent({
    props: { option: Object, height: String },
    setup: (props) => () => h('div', { class: 'fake-chart', 'data-bars': JSON.stringify(props.option.series[0].data) })
  })
}))

// happy-dom's MutationObserver fails when Element Plus's table observes
// through a proxy ("Cannot read private member #destroyed"): a quiet one
globalThis.MutationObserver = class {
  observe() {}
  disconnect() {}
  takeRecords() {
    return []
  }
}
// popper.js tells a window from an element by toString(), which in
// happy-dom serialises the whole element (seconds with the page's selects)
Element.prototype.toString = function () {
  return '[object HTMLElement]'
}

const { i18n } = await import('../src/i18n/index.js')
const { useSessionStore } = await import('../src/stores/session.js')
const { default: ReportsView } = await import('../src/views/ReportsView.vue')

const settle = async () => {
  for (let i = 0; i < 10; i++) {
    await new Promise((r) => setTimeout(r, 0))
    await nextTick()
  }
}

let app
let root
let router
async function mount(url, role = 'manager') {
  root = document.createElement('div')
  document.body.appendChild(root)
  router = createRouter({
    history: createMemoryHistory(),
    routes: [{ path: '/reports', name: 'reports', component: ReportsView }, { path: '/', component: { render: () => null } }]
  })
  const pinia = createPinia()
  app = createApp({ render: () => h(ReportsView) })
  app.use(pinia).use(i18n).use(ElementPlus).use(router)
  useSessionStore(pinia).user = { id: 2, username: 'someone', role }
  await router.push(url)
  await router.isReady()
  app.mount(root)
  await settle()
}

beforeEach(() => {
  calls.report.length = 0
  calls.file.length = 0
  calls.saved.length = 0
  i18n.global.locale.value = 'zh'
})
afterEach(() => {
  app.unmount()
  root.remove()
})

describe('the reports page, mounted', () => {
  it('asks for the report in the URL with its filters', async () => {
    await mount('/reports?report=aging&team=1&date=2026-12-08&from=2026-01-01')
    // the aging takes a date, not a period: `from` is not sent
    expect(calls.report[0]).toEqual({ key: 'aging', query: { date: '2026-12-08', team: 1 } })
  })

  it('renders a sheet from its columns: money grouped and right-aligned, rates as percent, the total row bold', async () => {
    await mount('/reports?report=aging')
    const rows = [...root.querySelectorAll('.hk-report-table .el-table__body tr.el-table__row')]
    expect(rows.length).toBe(3)
    const text = (tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent.trim())
    expect(text(rows[0])).toEqual(['M1', '341', '2,530,516.90', '13.90%'])
    expect(text(rows[1])).toEqual(['M2', '146', '1,792,665.87', ''])
    expect(text(rows[2])).toEqual(['合计', '487', '4,323,182.77', '100.00%'])
    expect(rows[2].classList.contains('hk-total-row')).toBe(true)
    expect(rows[0].classList.contains('hk-total-row')).toBe(false)
    const cells = rows[0].querySelectorAll('td')
    expect(cells[2].classList.contains('is-right')).toBe(true)
    expect(cells[0].classList.contains('is-right')).toBe(false)
    const heads = [...root.querySelectorAll('.hk-report-table thead th')].map((th) => th.textContent.trim())
    expect(heads).toEqual(['账龄', '账户数', '逾期总额', '逾期金额占比'])
    // the chart beside the whole sheet, the total row left out
    expect(JSON.parse(root.querySelector('.fake-chart').dataset.bars)).toEqual([2530516.9, 1792665.87])
    expect(root.querySelector('.hk-report-subtitle').textContent).toContain('截至 2026-12-08')
  })

  it('the sheets are tabs; the tab is kept in the URL', async () => {
    await mount('/reports?report=aging&sheet=by_team')
    const tabs = [...root.querySelectorAll('.hk-report-tabs .el-tabs__item')].map((x) => x.textContent.trim())
    expect(tabs).toEqual(['合计', '按团队'])
    expect(root.querySelector('.hk-report-tabs .el-tabs__item.is-active').textContent.trim()).toBe('按团队')
    expect(root.querySelector('.fake-chart')).toBe(null)
    const rows = [...root.querySelectorAll('.hk-report-table .el-table__body tr.el-table__row')]
    expect(rows.map((r) => r.querySelector('td').textContent.trim())).toEqual(['一组', '合计'])
  })

  it('a tab clicked goes into the URL', async () => {
    await mount('/reports?report=aging&team=1')
    expect(router.currentRoute.value.query).toEqual({ report: 'aging', team: '1' })
    root.querySelectorAll('.hk-report-tabs .el-tabs__item')[1].click()
    await settle()
    expect(router.currentRoute.value.query).toEqual({ report: 'aging', team: '1', sheet: 'by_team' })
  })

  it('filters by role: a manager picks a team, a team leader does not (the server narrows)', async () => {
    const labels = () => [...root.querySelectorAll('.hk-report-filters .el-form-item__label')].map((l) => l.textContent.trim())
    await mount('/reports?report=aging')
    expect(labels()).toEqual(['日期', '小组', '催收员', '委外机构', '债权人', '产品', '省份', '客群', '策略版本', '规则序号', '分组'])
    app.unmount()
    root.remove()
    await mount('/reports?report=promises', 'team_leader')
    expect(labels()).toEqual(['期间', '催收员', '委外机构', '债权人', '产品'])
    app.unmount()
    root.remove()
    await mount('/reports?report=agencies', 'agency_collector')
    expect(labels()).toEqual(['期间'])
  })

  it('导出 Excel asks for the workbook, 导出 CSV for the sheet shown, with the filters of the report shown', async () => {
    await mount('/reports?report=aging&team=1&sheet=by_team')
    root.querySelector('.hk-report-xlsx').click()
    await settle()
    root.querySelector('.hk-report-csv').click()
    await settle()
    expect(calls.file).toEqual(['/api/reports/aging?team=1&format=xlsx', '/api/reports/aging?team=1&format=csv&sheet=by_team'])
    expect(calls.saved).toEqual(['huikuan-aging-2026-12-08.xlsx', 'huikuan-aging-2026-12-08-by_team.csv'])
  })
})
