// @vitest-environment happy-dom
// The case page's 短信/邮件 list mounted (Vue + Element Plus in happy-dom,
// the API mocked as the server answers: {messages, next_before}): the first
// page, "load more" asking for the messages before next_before, appended,
// until next_before is null; a reload after a send starts over.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createApp, h, nextTick, reactive } from 'vue'
import ElementPlus from 'element-plus'

// 120 messages of case 4, ids 120..1, newest first
const ALL = Array.from({ length: 120 }, (_, i) => ({
  id: 120 - i,
  case_id: 4,
  contact_id: '',
  channel: i % 2 ? 'email' : 'sms',
  to: i % 2 ? 'd***@example.cn' : '198****5223',
  subject: '',
  body: `消息 ${120 - i}`,
  status: 'queued',
  attempts: 0,
  rule: '',
  last_error: '',
  created_at: 1796670909 - i * 60,
  sent_at: null,
  delivered_at: null
}))
const calls = vi.hoisted(() => ({ messages: [] }))
vi.mock('../src/api/index.js', () => ({
  api: {
    caseMessages: async (id, query) => {
      calls.messages.push({ id, query })
      const rest = query && query.before ? ALL.filter((m) => m.id < query.before) : ALL
      const limit = (query && query.limit) || 200
      const messages = rest.slice(0, limit)
      return { messages, next_before: rest.length > limit ? messages[messages.length - 1].id : null }
    },
    sendMessage: async () => ({})
  },
  ApiError: Error
}))

globalThis.MutationObserver = class {
  observe() {}
  disconnect() {}
  takeRecords() {
    return []
  }
}
Element.prototype.toString = function () {
  return '[object HTMLElement]'
}

const { i18n } = await import('../src/i18n/index.js')
const { default: MessagesPanel } = await import('../src/components/letters/MessagesPanel.vue')

const settle = async () => {
  for (let i = 0; i < 10; i++) {
    await new Promise((r) => setTimeout(r, 0))
    await nextTick()
  }
}

let app
let root
let props
async function mount() {
  root = document.createElement('div')
  document.body.appendChild(root)
  props = reactive({ caseId: '4', kase: { id: 4, contacts: [] }, maySend: false, version: 0 })
  app = createApp({ render: () => h(MessagesPanel, props) })
  app.use(i18n).use(ElementPlus)
  app.mount(root)
  await settle()
}
const rows = () => [...root.querySelectorAll('.hk-messages .el-table__body tr.el-table__row')]
const moreButton = () => root.querySelector('.hk-msg-more')

beforeEach(() => {
  calls.messages.length = 0
  i18n.global.locale.value = 'zh'
})
afterEach(() => {
  app.unmount()
  root.remove()
})

describe('the case page\'s messages, a page at a time', () => {
  it('shows the first 50, then the pages before next_before, until the last', async () => {
    await mount()
    expect(calls.messages).toEqual([{ id: '4', query: { limit: 50 } }])
    expect(rows().length).toBe(50)
    expect(rows()[0].textContent).toContain('消息 120')
    expect(moreButton().textContent.trim()).toBe('加载更多')

    moreButton().click()
    await settle()
    expect(calls.messages[1]).toEqual({ id: '4', query: { before: 71, limit: 50 } })
    expect(rows().length).toBe(100)
    expect(rows()[50].textContent).toContain('消息 70')

    moreButton().click()
    await settle()
    expect(calls.messages[2]).toEqual({ id: '4', query: { before: 21, limit: 50 } })
    expect(rows().length).toBe(120)
    expect(rows()[119].textContent).toContain('消息 1')
    expect(moreButton()).toBe(null)
    expect(root.querySelector('.hk-msg-end').textContent).toContain('120')
  })

  it('a reload (after a send or another action) starts from the newest page again', async () => {
    await mount()
    moreButton().click()
    await settle()
    expect(rows().length).toBe(100)
    props.version++
    await settle()
    expect(calls.messages[2]).toEqual({ id: '4', query: { limit: 50 } })
    expect(rows().length).toBe(50)
    expect(moreButton()).not.toBe(null)
  })

  it('a case with few messages: no button, no "all shown" line', async () => {
    ALL.splice(3)
    await mount()
    expect(rows().length).toBe(3)
    expect(moreButton()).toBe(null)
    expect(root.querySelector('.hk-msg-end')).toBe(null)
  })
})
