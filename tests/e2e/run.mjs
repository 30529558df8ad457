// End-to-end tests of the web interface (issue 5) in Debian's Chromium,
// driven by playwright-core, against the real server and a real demo
// database: every role logs in; a collector works a case (records a call,
// takes a promise, which then shows in the case and in the day's figures);
// a case outside the collector's scope is refused in the interface; the
// language switch; a team leader approves a waiver in the approvals inbox
// and the ledger changes.  The case page's further actions: a waiver
// request, a repayment plan and a dispute with evidence (downloaded back)
// by a collector, a payment by a manager (cash refused with the server's
// reason); bulk reassignment on the team page and the case list (a team
// leader's move outside the team refused).  Each checked against the
// server's state or the refreshed page.  Letters and messages (issue 7):
// a template previewed and a bad draft refused in the templates tab, a
// letter written and an SMS queued from the case page (each then in the
// case's timeline with its label; a second SMS refused by the daily cap), a
// batch followed to the end, a batch from the case list's filter, the
// outbox.  Reports
// (issue 8): aging for a team against the API, recovery's champion /
// challenger sheet, the XLSX and CSV downloads, the dashboard's summary,
// a team leader's promises by team.
// Screenshots of each main page go to tests/e2e/out/.  The times from a
// click to a usable queue and case page are printed.
//
// usage: node run.mjs HUIKUAN_BINARY
//   E2E_DB=FILE  use an existing demo database (say 1,000,000 accounts)
//                instead of building a small one
import { spawn, spawnSync } from 'node:child_process'
import { createWriteStream, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'

const here = dirname(fileURLToPath(import.meta.url))
const hk = process.argv[2]
const out = join(here, 'out')
const tmp = mkdtempSync(join(tmpdir(), 'hk-e2e-'))
const PASSWORD = 'huikuan-demo-2026'
let passed = 0
let failed = 0

function ok (name, cond, detail = '') {
  if (cond) {
    passed++
    console.log(`ok - ${name}`)
  } else {
    failed++
    console.log(`not ok - ${name} ${detail}`)
  }
}

// The demo's configuration (data/demo.ini: the letterhead, the creditors'
// phones a demand needs, a law firm), with quiet hours twelve hours away, so
// recording a call or sending a message is allowed whenever the test runs
// (docs/compliance.md), and one message a debtor a day, so a second one is
// refused by the cap (GR-MESSAGES).
function awakeConfig () {
  const h = Number(new Intl.DateTimeFormat('en', { hour: 'numeric', hour12: false, timeZone: 'Asia/Shanghai' }).format(new Date())) % 24
  const pad = (n) => String(n).padStart(2, '0')
  const file = join(tmp, 'awake.ini')
  const demo = readFileSync(join(here, '../../data/demo.ini'), 'utf8')
  writeFileSync(file, `${demo}\n[compliance]\nquiet_hours = ${pad((h + 12) % 24)}:00-${pad((h + 13) % 24)}:00\nmax_messages_per_day = 1\n`)
  return file
}

// Serve the database; resolves with the base URL.
function serve (db, cfg) {
  return new Promise((resolve, reject) => {
    const p = spawn(hk, ['--db', db, '--config', cfg, 'serve', '--listen', '127.0.0.1:0'],
      { env: { ...process.env, LANG: 'en_US.UTF-8' }, stdio: ['ignore', 'pipe', 'pipe'] })
    let text = ''
    // the server's log goes to out/server.log, so a crash says why
    const log = createWriteStream(join(out, 'server.log'), { flags: 'a' })
    p.stderr.on('data', (d) => log.write(d))
    p.stdout.on('data', (d) => {
      text += d
      const m = text.match(/http:\/\/[0-9.]+:[0-9]+/)
      if (m) resolve({ base: m[0], proc: p })
    })
    p.on('exit', (code, signal) => {
      console.log(`# server exited: ${code ?? signal} (its log: tests/e2e/out/server.log)`)
      reject(new Error(`server exited ${code ?? signal}`))
    })
  })
}

async function login (browser, base, user) {
  const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 }, locale: 'zh-CN' })
  const page = await ctx.newPage()
  // an error in the page's scripts is printed, so a blank page says why
  page.on('pageerror', (e) => console.log(`# page error (${user}): ${e.message}`))
  await page.goto(base + '/login')
  await page.fill('#hk-username', user)
  await page.fill('input[type=password]', PASSWORD)
  const t0 = Date.now()
  await page.click('.hk-login-btn')
  await page.waitForURL((u) => !u.pathname.startsWith('/login'), { timeout: 15000 })
  return { ctx, page, t0 }
}

// A bearer token for API checks beside the browser.
async function bearerOf (base, user) {
  const r = await fetch(`${base}/api/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: user, password: PASSWORD, bearer: true }) })
  return (await r.json()).token
}
async function apiGet (base, token, path) {
  const r = await fetch(base + path, { headers: { Authorization: `Bearer ${token}` } })
  return r.json()
}
const sql = (db, q) => spawnSync('sqlite3', [db, q], { encoding: 'utf8' }).stdout.trim()

// The case page's 更多操作 card: open a tab, answer its visible pane.
async function actionTab (page, label) {
  const card = page.locator('.el-card', { hasText: '更多操作' })
  await card.locator('.el-tabs__item', { hasText: label }).first().click()
  const pane = card.locator('.el-tab-pane:visible')
  await pane.first().waitFor({ timeout: 10000 })
  return pane.first()
}
// Pick an option of the select in the form item labelled `label`.
async function choose (page, scope, label, option) {
  await scope.locator('.el-form-item', { hasText: label }).first().locator('.el-select').click()
  await page.locator('.el-select-dropdown__item:visible', { hasText: option }).first().click()
}
// The first non-empty cell of a table row's text (the case id after the
// selection column).
const firstCell = (rowText) => rowText.trim().split(/\s+/)[0]
const appeared = (loc, timeout = 10000) => loc.first().waitFor({ timeout }).then(() => true, () => false)

// The further actions of the case page, and bulk reassignment.
async function caseActions (browser, base, db, avoid) {
  // a case of li.na's with penalty to waive, not one the tests above used
  const lt = await bearerOf(base, 'li.na')
  let kase = null
  let acct = null
  for (const ref of sql(db, "select c.ref from cases c join users u on u.ref = c.collector_ref where u.username = 'li.na' and c.agency_ref is null order by c.ref limit 40").split('\n')) {
    if (avoid.includes(ref)) continue
    const c = await apiGet(base, lt, `/api/cases/${ref}`)
    acct = (c.accounts || []).find((a) => a.state && Number(a.state.penalty_due) >= 1)
    if (acct) { kase = c; break }
  }
  ok('a case of li.na\'s with penalty to waive', !!kase)
  if (!kase) return
  const id = kase.id
  const col = await login(browser, base, 'li.na')
  let page = col.page
  await page.goto(`${base}/cases/${id}`)
  await page.locator('.el-card', { hasText: '更多操作' }).waitFor({ timeout: 15000 })

  // a waiver request: 0.01 of the penalty; it is pending in the case's list
  let pane = await actionTab(page, '减免')
  await choose(page, pane, '账户', acct.account_id)
  await pane.locator('input[placeholder="100.00"]').fill('0.01')
  await pane.locator('textarea').fill('困难减免（界面测试）')
  await pane.locator('button', { hasText: '提交减免申请' }).click()
  const waived = await appeared(page.locator('.el-message--success', { hasText: '减免申请已提交' }))
  const waivers = (await apiGet(base, lt, `/api/cases/${id}/waivers`)).waivers || []
  ok('a waiver request from the case page is pending on the server', waived && waivers.some((w) =>
    w.account_id === acct.account_id && w.component === 'penalty' && w.amount === '0.01' && w.status === 'pending'),
  JSON.stringify(waivers.slice(-1)))
  ok('the waiver tab lists it', await appeared(pane.locator('.el-table__row', { hasText: '困难减免（界面测试）' })))
  await page.screenshot({ path: join(out, 'case-waiver.png'), fullPage: true })

  // a repayment plan: 1,000.00 in three monthly installments, split in fen
  pane = await actionTab(page, '分期')
  await pane.locator('input[placeholder="3000.00"]').fill('1000.00')
  await pane.locator('button', { hasText: '按月生成' }).click()
  await pane.locator('textarea').fill('三期（界面测试）')
  await pane.locator('button', { hasText: '提交分期方案' }).click()
  const planned = await appeared(page.locator('.el-message--success', { hasText: '分期方案已提交' }))
  const plans = (await apiGet(base, lt, `/api/cases/${id}/plans`)).plans || []
  const plan = plans.find((p) => p.status === 'proposed' && p.note === '三期（界面测试）') ||
    plans.find((p) => p.status === 'proposed')
  ok('a plan proposed from the case page: three installments, 333.33 + 333.33 + 333.34', planned && plan &&
    JSON.stringify((plan.installments || []).map((i) => i.amount)) === '["333.33","333.33","333.34"]', JSON.stringify(plans))
  ok('the plan tab lists it as proposed', plan && await appeared(pane.locator('.hk-plan', { hasText: `#${plan.id}` })))
  await page.screenshot({ path: join(out, 'case-plan.png'), fullPage: true })

  // a dispute with an evidence file; the file is listed and downloads intact
  pane = await actionTab(page, '异议')
  const evidence = join(tmp, 'bank-slip.txt')
  writeFileSync(evidence, `还款凭证 ${new Date().toISOString()}：转账 500.00 元\n`)
  await pane.locator('.el-upload input[type=file]').setInputFiles(evidence)
  await pane.locator('textarea').first().fill('债务人称已还款（界面测试）')
  await pane.locator('button', { hasText: '登记异议' }).click()
  const disputed = await appeared(page.locator('.el-message--success', { hasText: '异议已登记' }))
  const tl = (await apiGet(base, lt, `/api/cases/${id}/timeline`)).events || []
  const opened = tl.find((e) => e.kind === 'dispute_opened' && e.reason === '债务人称已还款（界面测试）')
  const listed = opened ? await apiGet(base, lt, `/api/disputes/${opened.id}/files`) : {}
  ok('a dispute opened from the case page, its evidence kept', disputed && opened && listed.status === 'open' &&
    (listed.files || []).length === 1 && listed.files[0].name === 'bank-slip.txt' &&
    listed.files[0].size === readFileSync(evidence).length, JSON.stringify(listed))
  const link = pane.locator('.hk-evidence', { hasText: 'bank-slip.txt' })
  let same = false
  if (await appeared(link)) {
    const [dl] = await Promise.all([page.waitForEvent('download', { timeout: 10000 }), link.first().click()])
    same = dl.suggestedFilename() === 'bank-slip.txt' && readFileSync(await dl.path()).equals(readFileSync(evidence))
  }
  ok('the evidence downloads from the dispute tab, byte for byte', same)
  await page.screenshot({ path: join(out, 'case-dispute.png'), fullPage: true })
  await col.ctx.close()

  // a manager records a payment: cash refused with the server's reason,
  // then online; it is on the account and in the tab's list
  const mt = await bearerOf(base, 'wang.jl')
  const mgr = await login(browser, base, 'wang.jl')
  page = mgr.page
  await page.goto(`${base}/cases/${id}`)
  await page.locator('.el-card', { hasText: '更多操作' }).waitFor({ timeout: 15000 })
  pane = await actionTab(page, '回款登记')
  await choose(page, pane, '账户', acct.account_id)
  await pane.locator('input[placeholder="1000.00"]').fill('123.45')
  await choose(page, pane, '渠道', '现金')
  await pane.locator('button', { hasText: '登记回款' }).click()
  const cashRefused = await appeared(pane.locator('.hk-refusal', { hasText: '现金' }))
  const afterCash = await apiGet(base, mt, `/api/cases/${id}`)
  const paid = (c) => (c.accounts || []).flatMap((a) => (a.payments || []).map((p) => ({ ...p, account_id: a.account_id })))
  ok('cash is refused in the payment tab with the server\'s reason, nothing booked', cashRefused &&
    paid(afterCash).length === paid(kase).length)
  await page.screenshot({ path: join(out, 'case-payment-refused.png'), fullPage: true })
  await choose(page, pane, '渠道', '线上')
  await pane.locator('button', { hasText: '登记回款' }).click()
  const booked = await appeared(page.locator('.el-message--success', { hasText: '123.45' }))
  const payment = paid(await apiGet(base, mt, `/api/cases/${id}`)).find((p) => p.payment_id.startsWith('WEB-'))
  ok('a payment from the case page is on the account', booked && payment && payment.account_id === acct.account_id &&
    payment.amount === '123.45' && payment.channel === 'online', JSON.stringify(payment))
  ok('the payment tab lists it', payment && await appeared(pane.locator('.el-table__row', { hasText: payment.payment_id })))
  await page.screenshot({ path: join(out, 'case-payment.png'), fullPage: true })

  // bulk reassignment on the case list: the manager ticks two cases and
  // gives them to chen.jing; the list shows the new collector
  await page.goto(`${base}/cases`)
  const rows = page.locator('.hk-case-table .el-table__body tr.el-table__row')
  await rows.first().waitFor({ timeout: 15000 })
  const picked = []
  for (const i of [0, 1]) {
    picked.push((await rows.nth(i).locator('td').nth(1).innerText()).trim())
    await rows.nth(i).locator('.el-checkbox').click()
  }
  await bulkAssign(page, 'chen.jing', '批量调整（界面测试）')
  const movedByManager = await appeared(page.locator('.el-message--success', { hasText: '2 个案件' }))
  await page.waitForLoadState('networkidle')
  const holders = (ids) => sql(db, `select group_concat(u.username) from (select collector_ref from cases where ref in (${ids.join(',')}) order by ref) c join users u on u.ref = c.collector_ref`)
  await appeared(rows.filter({ hasText: 'Chen Jing' }).filter({ hasText: picked[1] }))
  const shownAfter = await rows.allInnerTexts()
  ok('a manager reassigns two cases from the case list', movedByManager && holders(picked) === 'chen.jing,chen.jing' &&
    picked.every((p) => shownAfter.some((l) => firstCell(l) === p && l.includes('Chen Jing'))), shownAfter.slice(0, 2).join(' / '))
  await page.screenshot({ path: join(out, 'cases-bulk.png'), fullPage: true })
  await mgr.ctx.close()

  // on the team page the team leader hands two of zhao.lei's cases to
  // li.na; they leave zhao.lei's list; a move to another team is refused
  const lead = await login(browser, base, 'zhang.zz')
  page = lead.page
  await page.goto(`${base}/team`)
  const showZhao = page.locator('.el-table__row', { hasText: 'zhao.lei' }).locator('.hk-show-cases')
  page.on('requestfailed', (r) => console.log('# DEBUG failed', r.url(), r.failure() && r.failure().errorText))
  page.on('response', (r) => { if (r.status() >= 400) console.log('# DEBUG', r.status(), r.url()) })
  if (!await appeared(showZhao, 15000)) {
    console.log('# DEBUG url', page.url(), (await page.content()).slice(0, 800))
    await page.screenshot({ path: join(out, 'team-no-workload.png'), fullPage: true })
  }
  await showZhao.first().click()
  const mrows = page.locator('.hk-member-cases .el-table__body tr.el-table__row')
  await mrows.first().waitFor({ timeout: 15000 })
  const handed = []
  for (const i of [0, 1]) {
    handed.push((await mrows.nth(i).locator('td').nth(1).innerText()).trim())
    await mrows.nth(i).locator('.el-checkbox').click()
  }
  await page.screenshot({ path: join(out, 'team-cases.png'), fullPage: true })
  await bulkAssign(page, 'li.na', '休假交接（界面测试）')
  const movedByLead = await appeared(page.locator('.el-message--success', { hasText: '2 个案件' }))
  await page.waitForLoadState('networkidle')
  const zhaoList = (await mrows.allInnerTexts()).map(firstCell)
  const leftList = zhaoList.length > 0 && zhaoList.every((l) => !handed.includes(l))
  const audited = Number(sql(db, `select count(*) from audit_log where action = 'case.assign' and target in (${handed.map((h) => `'case:${h}'`).join(',')}) and detail like '%休假交接（界面测试）%'`))
  ok('a team leader reassigns two of zhao.lei\'s cases from the team page, each audited', movedByLead &&
    holders(handed) === 'li.na,li.na' && leftList && audited === 2, `${holders(handed)} ${leftList} ${audited}`)
  const stay = (await mrows.nth(0).locator('td').nth(1).innerText()).trim()
  await mrows.nth(0).locator('.el-checkbox').click()
  await bulkAssign(page, 'chen.jing', '跨组（界面测试）', true)
  const dialogRefusal = page.locator('.hk-assign-dialog .el-alert--error', { hasText: '本组' })
  ok('a team leader\'s move to another team is refused in the dialog, nothing moved',
    await appeared(dialogRefusal) && holders([stay]) === 'zhao.lei', holders([stay]))
  await page.screenshot({ path: join(out, 'team-bulk-refused.png'), fullPage: true })
  await lead.ctx.close()
}

// Letters and messages (issue 7): an admin previews a letter template for
// a case in the templates tab (and sees the rules' problems of a bad draft);
// a collector writes a letter from the case page's 信函 tab (it is listed
// and downloads as the PDF the server recorded) and queues an SMS from the
// 短信/邮件 tab (a second one refused by the daily cap, with its rule); a
// manager starts a batch for listed cases and sees it finish, its manifest
// downloaded; a batch from the case list's filter (one bucket) lands on
// the batches page with a letter per case the filter selects; the outbox
// page lists the collector's message.
async function lettersAndMessages (browser, base, db) {
  const t0 = Date.now()
  const lt = await bearerOf(base, 'li.na')
  let kase = null
  for (const ref of sql(db, "select c.ref from cases c join users u on u.ref = c.collector_ref where u.username = 'li.na' and c.agency_ref is null order by c.ref desc limit 40").split('\n')) {
    const c = await apiGet(base, lt, `/api/cases/${ref}`)
    if (!(c.accounts || []).some((a) => a.state && Number(a.state.total_overdue) > 0)) continue
    // an SMS may go now (no dispute, stop or cap in the way)
    if ((await apiGet(base, lt, `/api/cases/${ref}/contact-check?channel=sms`)).allowed) { kase = c; break }
  }
  ok('a case of li.na\'s owing something, for letters', !!kase)
  if (!kase) return
  const id = String(kase.id)
  const pdfOf = async (dl) => readFileSync(await dl.path())

  // the admin: the templates tab, a preview of the first notice for the case
  const adm = await login(browser, base, 'admin')
  let page = adm.page
  await page.goto(`${base}/admin?tab=templates`)
  const groups = page.locator('.hk-tmpl-groups .el-table__row')
  const listed = await appeared(groups)
  const shownGroups = listed ? (await groups.allInnerTexts()).length : 0
  const at = await bearerOf(base, 'admin')
  const all = (await apiGet(base, at, '/api/templates')).templates || []
  const codes = new Set(all.map((x) => `${x.channel}:${x.code}`))
  ok('the templates tab lists every template, one line per code and channel, each in force', listed &&
    shownGroups === codes.size && (await groups.filter({ hasText: '生效中' }).count()) === codes.size, `${shownGroups} of ${codes.size}`)
  await groups.filter({ hasText: 'first_notice' }).filter({ hasText: '信函' }).first().click()
  await page.locator('.hk-tmpl-editor .el-card__header', { hasText: 'first_notice' }).waitFor({ timeout: 10000 })
  await page.locator('.hk-preview-case input').fill(id)
  await page.locator('.hk-preview-btn').click()
  const preview = page.locator('.hk-preview .el-alert', { hasText: 'PDF' })
  let previewed = await appeared(preview)
  if (previewed) {
    const [dl] = await Promise.all([page.waitForEvent('download', { timeout: 10000 }), preview.locator('button', { hasText: '下载' }).click()])
    const pdf = await pdfOf(dl)
    previewed = pdf.subarray(0, 5).toString() === '%PDF-' && /1 页/.test(await preview.innerText())
  }
  ok('an admin previews the first notice for a case: a one-page PDF, downloaded', previewed)
  await page.setViewportSize({ width: 1400, height: 1500 })
  await page.screenshot({ path: join(out, 'admin-templates.png'), fullPage: true })
  // a new template whose text the rules refuse: the problems beside the editor
  await page.locator('.hk-tmpl-new').click()
  const editor = page.locator('.hk-tmpl-editor')
  await editor.locator('.el-form-item', { hasText: '代码' }).locator('input').fill('e2e_notice')
  await editor.locator('.el-form-item', { hasText: '名称' }).locator('input').fill('界面测试')
  await editor.locator('textarea').fill('{{debtor.nmae}} 您好')
  await page.locator('.hk-tmpl-save').click()
  const problems = editor.locator('.hk-tmpl-problems li')
  const refusedDraft = await appeared(problems) && (await problems.allInnerTexts())
  ok('a draft the rules refuse shows the server\'s problems beside the editor, nothing saved',
    refusedDraft && refusedDraft.length >= 2 && refusedDraft.some((p) => p.includes('debtor.nmae')) &&
    !((await apiGet(base, at, '/api/templates')).templates || []).some((x) => x.code === 'e2e_notice'),
  JSON.stringify(refusedDraft))
  await page.screenshot({ path: join(out, 'admin-template-problems.png'), fullPage: true })
  await adm.ctx.close()

  // the collector: a letter from the case page's 信函 tab
  const col = await login(browser, base, 'li.na')
  page = col.page
  await page.setViewportSize({ width: 1400, height: 1500 })
  await page.goto(`${base}/cases/${id}`)
  const card = page.locator('.hk-letters-card')
  await card.waitFor({ timeout: 15000 })
  let pane = card.locator('.el-tab-pane:visible').first()
  await choose(page, pane, '模板', 'first_notice')
  await pane.locator('.hk-letter-write').click()
  const written = page.locator('.el-message--success', { hasText: '已生成' })
  const wrote = await appeared(written)
  const serial = wrote ? ((await written.first().innerText()).match(/HK-\d{4}-\d+/) || [])[0] : null
  const letters = (await apiGet(base, lt, `/api/cases/${id}/letters`)).letters || []
  const letter = letters.find((l) => l.serial === serial)
  ok('a collector writes a letter from the case page: numbered and recorded', !!letter && letter.template === 'first_notice', `${serial} ${JSON.stringify(letters[0])}`)
  const row = pane.locator('.hk-letters .el-table__row', { hasText: serial || 'HK-none' })
  let same = false
  if (letter && await appeared(row)) {
    const [dl] = await Promise.all([page.waitForEvent('download', { timeout: 10000 }), row.locator('.hk-letter-download').click()])
    const pdf = await pdfOf(dl)
    same = dl.suggestedFilename() === `${serial}.pdf` && pdf.length === letter.size && pdf.subarray(0, 5).toString() === '%PDF-'
  }
  ok('the letter is listed in the 信函 tab and downloads as the file recorded', same)
  // the timeline (reloaded after the letter) shows it with its label, serial and total owed
  const tlLetter = page.locator('.el-timeline-item.hk-ev-letter', { hasText: serial || 'HK-none' })
  const owed = letter ? letter.total_owed.replace(/\B(?=(\d{3})+(?!\d))/g, ',') : 'none'
  const tlText = letter && await appeared(tlLetter) ? await tlLetter.first().innerText() : ''
  ok('the letter shows in the case\'s timeline as 生成信函 with its serial and total owed',
    tlText.includes('生成信函') && tlText.includes('函号') && tlText.includes(owed) && tlText.includes('first_notice'), tlText)
  await card.scrollIntoViewIfNeeded()
  await page.screenshot({ path: join(out, 'case-letters.png'), fullPage: true })

  // an SMS from the 短信/邮件 tab; a second one the same day refused by the cap
  await card.locator('.el-tabs__item', { hasText: '短信' }).click()
  pane = card.locator('.el-tab-pane:visible').first()
  await pane.locator('.hk-msg-send').waitFor({ timeout: 10000 })
  await choose(page, pane, '模板', 'first_notice')
  await pane.locator('.hk-msg-send').click()
  const queued = await appeared(page.locator('.el-message--success', { hasText: '外发队列' }))
  const msgs = (await apiGet(base, lt, `/api/cases/${id}/messages`)).messages || []
  const sms = msgs.find((m) => m.channel === 'sms' && m.status === 'queued')
  ok('a collector queues an SMS from the case page; it is listed with its status', queued && !!sms &&
    await appeared(pane.locator('.hk-messages .el-table__row', { hasText: '排队中' })), JSON.stringify(msgs[0]))
  const tlSms = page.locator('.el-timeline-item.hk-ev-message_queued', { hasText: sms ? sms.to : 'none' })
  const smsText = sms && await appeared(tlSms) ? await tlSms.first().innerText() : ''
  ok('the queued SMS shows in the timeline as 短信已排队 with the recipient masked', smsText.includes('短信已排队') &&
    smsText.includes('收件人') && /\*{4}/.test(sms.to), smsText)
  await pane.locator('.hk-msg-send').click()
  const capped = pane.locator('.hk-refusal', { hasText: 'GR-MESSAGES' })
  ok('a second SMS the same day is refused with the rule and its reason', await appeared(capped) &&
    (await capped.innerText()).length > 20)
  await page.screenshot({ path: join(out, 'case-messages.png'), fullPage: true })
  await col.ctx.close()

  // the manager: a batch for listed cases, followed to the end; its manifest
  const mgr = await login(browser, base, 'wang.jl')
  page = mgr.page
  await page.setViewportSize({ width: 1400, height: 1200 })
  await page.goto(`${base}/letters`)
  const form = page.locator('.hk-batch-start')
  await form.waitFor({ timeout: 15000 })
  await form.locator('.el-radio-button', { hasText: '指定案件' }).click()
  await form.locator('.hk-batch-template').click()
  await page.locator('.el-select-dropdown__item:visible', { hasText: 'first_notice' }).first().click()
  const others = sql(db, `select ref from cases where ref <> ${id} order by ref limit 3`).split('\n')
  await form.locator('.hk-batch-ids textarea').fill([id, ...others].join(', '))
  await form.locator('.hk-batch-go').click()
  const started = page.locator('.el-message--success', { hasText: '已开始' })
  const bid = await appeared(started) ? ((await started.first().innerText()).match(/批次 (\d+)/) || [])[1] : null
  const doneRow = page.locator('.hk-batches .el-table__row').filter({ hasText: '已完成' }).filter({ has: page.locator('td:first-child', { hasText: new RegExp(`^${bid}$`) }) })
  const finished = !!bid && await appeared(doneRow, 20000)
  const batch = bid ? await apiGet(base, await bearerOf(base, 'wang.jl'), `/api/letters/batches/${bid}`) : {}
  ok('a manager starts a batch of listed cases and sees it finish at 100%', finished && batch.status === 'done' &&
    batch.total === 4 && batch.done + batch.skipped === 4 &&
    await doneRow.first().locator('.el-progress').getAttribute('aria-valuenow') === '100', JSON.stringify(batch))
  let manifest = ''
  if (finished) {
    const [dl] = await Promise.all([page.waitForEvent('download', { timeout: 10000 }), doneRow.first().locator('.hk-batch-manifest').click()])
    manifest = readFileSync(await dl.path(), 'utf8')
  }
  const lines = manifest.trim().split('\n')
  ok('its manifest downloads: a line per case', lines[0].startsWith('seq,case_id,serial') && lines.length === 5 &&
    lines.slice(1).some((l) => l.split(',')[1] === id), lines.slice(0, 2).join(' / '))
  await page.screenshot({ path: join(out, 'letter-batches.png'), fullPage: true })

  // the manager: letters for the case list's filter (bucket M6, a few dozen
  // cases in the small demo), then the batches page, the batch followed
  const mt = await bearerOf(base, 'wang.jl')
  await page.goto(`${base}/cases`)
  await page.locator('.hk-case-table .el-table__body tr.el-table__row').first().waitFor({ timeout: 15000 })
  await choose(page, page.locator('.hk-filters'), '账龄', 'M6')
  await page.locator('.hk-filters button', { hasText: '查询' }).click()
  await page.locator('.hk-batch-from-filter').click()
  const dlg = page.locator('.hk-filter-batch-dialog')
  await dlg.waitFor({ timeout: 10000 })
  const named = await appeared(dlg.locator('.hk-filter-batch-filter', { hasText: '账龄: M6' }))
  await dlg.locator('.hk-filter-batch-template').click()
  await page.locator('.el-select-dropdown__item:visible', { hasText: 'first_notice' }).first().click()
  await dlg.locator('.hk-filter-batch-go').click()
  const landed = await page.waitForURL((u) => u.pathname === '/letters', { timeout: 10000 }).then(() => true, () => false)
  const fb = ((await apiGet(base, mt, '/api/letters/batches')).batches || []).find((b) => b.id > Number(bid))
  let inM6 = 0
  for (let after = ''; ;) {
    const r = await apiGet(base, mt, `/api/cases?bucket=M6&limit=500${after ? `&after=${encodeURIComponent(after)}` : ''}`)
    inM6 += (r.cases || []).length
    if (!r.next_after) break
    after = r.next_after
  }
  // on a large database (E2E_DB) the bucket is thousands of letters: the
  // batch is seen on the page, not waited for
  const small = inM6 <= 2000
  const fbRow = page.locator('.hk-batches .el-table__row').filter(small ? { hasText: '已完成' } : {}).filter({ has: page.locator('td:first-child', { hasText: new RegExp(`^${fb ? fb.id : 0}$`) }) })
  const fbDone = !!fb && await appeared(fbRow, 30000)
  ok('a manager starts letters for the case list\'s filter: the batches page follows it, a letter per case in the bucket',
    named && landed && fbDone && fb.source === 'cases' && fb.template === 'first_notice' && inM6 > 0 && fb.total === inM6,
    `${named} ${landed} ${fbDone} ${inM6} ${JSON.stringify(fb)}`)
  await page.screenshot({ path: join(out, 'letter-batch-filter.png'), fullPage: true })

  // the outbox lists the collector's message
  await page.goto(`${base}/outbox`)
  const line = page.locator('.hk-outbox .el-table__row').filter({ has: page.locator('td:first-child', { hasText: new RegExp(`^${sms ? sms.id : 0}$`) }) })
  ok('the outbox page lists the SMS the collector queued', !!sms && await appeared(line) &&
    (await line.first().innerText()).includes('排队中') && (await line.first().innerText()).includes(id))
  await page.screenshot({ path: join(out, 'outbox.png'), fullPage: true })
  await mgr.ctx.close()
  console.log(`# letters and messages: ${Date.now() - t0} ms`)
}

// Reports (issue 8): a manager opens the reports page from the menu, picks
// aging for a team, and the total row's overdue is the API's for the same
// query (the total row bold); the dashboard's summary links to it; recovery
// shows the champion/challenger sheet; the workbook downloads as XLSX and
// the sheet shown as CSV (BOM, the header line of the sheet's columns); a
// team leader's promises report has only their team in the by-team sheet.
async function reports (browser, base) {
  const t0 = Date.now()
  const grouped = (money) => { const [i, f] = String(money).split('.'); return i.replace(/\B(?=(\d{3})+(?!\d))/g, ',') + (f !== undefined ? `.${f}` : '') }
  const csvLine = (cells) => cells.map((c) => /[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c).join(',')
  const table = (page) => page.locator('.hk-report-table')
  const bodyRows = (page) => table(page).locator('.el-table__body-wrapper tr.el-table__row')
  const mgr = await login(browser, base, 'wang.jl')
  const page = mgr.page
  const api = async (path) => (await page.request.get(base + path)).json()
  await page.locator('.hk-menu .el-menu-item', { hasText: '报表' }).click()
  await page.waitForURL(/\/reports/)
  const picker = page.locator('.hk-report-picker')
  await picker.waitFor({ timeout: 15000 })
  ok('the reports page lists every report of the API', (await picker.locator('.el-radio-button').count()) === ((await api('/api/reports')).reports || []).length)

  // aging for the first team
  await picker.locator('.el-radio-button', { hasText: '账龄分析' }).click()
  const team = ((await api('/api/teams')).teams || [])[0]
  const filters = page.locator('.hk-report-filters')
  await choose(page, filters, '小组', team.name)
  const answered = page.waitForResponse((r) => r.url().includes(`/api/reports/aging?team=${team.id}`), { timeout: 15000 })
  await filters.locator('.hk-report-run').click()
  await answered
  await page.waitForLoadState('networkidle')
  const aging = await api(`/api/reports/aging?team=${team.id}`)
  const whole = aging.sheets.find((s) => s.key === 'whole')
  const col = whole.columns.findIndex((c) => c.key === 'total_overdue')
  const apiTotal = whole.rows[whole.rows.length - 1][col]
  const totalLine = table(page).locator('.el-table__body-wrapper tr.hk-total-row').first()
  const shownTotal = await appeared(totalLine) ? (await totalLine.locator('td').nth(col).innerText()).trim() : ''
  const weight = await appeared(totalLine) ? await totalLine.locator('td').nth(col).evaluate((td) => getComputedStyle(td).fontWeight) : ''
  ok('aging for a team: the total row\'s overdue is the API\'s for the same query, in bold', whole.total &&
    shownTotal === grouped(apiTotal) && Number(weight) >= 600 && page.url().includes(`team=${team.id}`),
  `${shownTotal} vs ${apiTotal} (${weight}) ${page.url()}`)
  ok('the aging chart is drawn beside the sheet', await appeared(page.locator('.hk-report-chart canvas')))
  await page.screenshot({ path: join(out, 'reports-aging.png'), fullPage: true })

  // recovery: the champion/challenger sheet
  const recovered = page.waitForResponse((r) => r.url().includes(`/api/reports/recovery?team=${team.id}`), { timeout: 15000 })
  await picker.locator('.el-radio-button', { hasText: '回收率' }).click()
  await recovered
  await page.waitForLoadState('networkidle')
  const recovery = await api(`/api/reports/recovery?team=${team.id}`)
  const arms = recovery.sheets.find((s) => s.key === 'arms')
  await page.locator('.hk-report-tabs .el-tabs__item', { hasText: arms.title }).click()
  await appeared(bodyRows(page).filter({ hasText: '%' }))
  const armLines = await bodyRows(page).allInnerTexts()
  ok('recovery shows the champion/challenger sheet, a line per arm', arms.rows.length > 0 &&
    armLines.length === arms.rows.length && arms.rows.every((r, i) => armLines[i].includes(String(r[1]))),
  armLines.join(' / '))
  await page.screenshot({ path: join(out, 'reports-recovery-arms.png'), fullPage: true })

  // the workbook, and the sheet shown as CSV
  let [dl] = await Promise.all([page.waitForEvent('download', { timeout: 15000 }), page.locator('.hk-report-xlsx').click()])
  const xlsx = readFileSync(await dl.path())
  ok('导出 Excel downloads the workbook (an XLSX: a zip)', xlsx.subarray(0, 2).toString() === 'PK' &&
    /^huikuan-recovery-.*\.xlsx$/.test(dl.suggestedFilename()), `${dl.suggestedFilename()} ${xlsx.length} bytes`)
  ;[dl] = await Promise.all([page.waitForEvent('download', { timeout: 15000 }), page.locator('.hk-report-csv').click()])
  const csv = readFileSync(await dl.path())
  const header = csv.subarray(3).toString('utf8').split(/\r?\n/)[0]
  ok('导出 CSV downloads the sheet shown: a BOM, then its columns', csv.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf])) &&
    header === csvLine(arms.columns.map((c) => c.title)) && /-arms\.csv$/.test(dl.suggestedFilename()),
  `${dl.suggestedFilename()}: ${header}`)

  // the dashboard's summary: the same aging total, a link to the full report
  await page.goto(`${base}/dashboard`)
  const agingPart = page.locator('.hk-dash-report-aging')
  const all = await api('/api/reports/aging')
  const allWhole = all.sheets.find((s) => s.key === 'whole')
  const allTotal = allWhole.rows[allWhole.rows.length - 1][allWhole.columns.findIndex((c) => c.key === 'total_overdue')]
  ok('the dashboard summarises the aging report', await appeared(agingPart.locator('tr.hk-total-row', { hasText: grouped(allTotal) })) &&
    await appeared(page.locator('.hk-dash-recovery-rate', { hasText: '%' })) &&
    await appeared(page.locator('.hk-dash-report-kept tr.el-table__row')), grouped(allTotal))
  await page.screenshot({ path: join(out, 'dashboard-reports.png'), fullPage: true })
  await agingPart.locator('.hk-dash-report-link').click()
  await page.waitForURL(/\/reports\?report=aging/)
  ok('its link opens the full aging report', await appeared(table(page).locator('tr.hk-total-row', { hasText: grouped(allTotal) })), page.url())
  await mgr.ctx.close()

  // a team leader: only their team in the promises report's by-team sheet
  const lead = await login(browser, base, 'zhang.zz')
  const lp = lead.page
  const me = await (await lp.request.get(`${base}/api/me`)).json()
  const own = (((await (await lp.request.get(`${base}/api/teams`)).json()).teams) || []).find((x) => x.id === (me.user || me).team_id)
  await lp.goto(`${base}/reports`)
  await lp.locator('.hk-report-picker .el-radio-button', { hasText: '承诺还款' }).click()
  await lp.locator('.hk-report-tabs .el-tabs__item', { hasText: '按团队' }).click()
  await appeared(bodyRows(lp))
  await lp.waitForLoadState('networkidle')
  const lines = (await bodyRows(lp).locator('td:first-child').allInnerTexts()).map((l) => l.trim())
  ok('a team leader\'s promises by team: their team and the total only', !!own && lines.length === 2 &&
    lines[0] === own.name && lines[1] === '合计' && lp.url().includes('sheet=by_team'), lines.join(' / '))
  await lp.screenshot({ path: join(out, 'reports-team-leader.png'), fullPage: true })
  await lead.ctx.close()
  console.log(`# reports: ${Date.now() - t0} ms`)
}

// 改派所选 with the selection made: the collector (typed when `typed`,
// else picked from the list) and the reason, confirmed.
async function bulkAssign (page, collector, reason, typed = false) {
  await page.locator('.hk-bulk-assign:visible').first().click()
  const dlg = page.locator('.hk-assign-dialog')
  await dlg.waitFor({ timeout: 10000 })
  if (typed) {
    await dlg.locator('.el-select input').fill(collector)
    await dlg.locator('.el-select input').press('Enter')
  } else {
    await dlg.locator('.el-select').click()
    await page.locator('.el-select-dropdown__item:visible', { hasText: collector }).first().click()
  }
  await dlg.locator('textarea').fill(reason)
  await dlg.locator('button', { hasText: '确定' }).click()
}

async function main () {
  mkdirSync(out, { recursive: true })
  rmSync(join(out, 'server.log'), { force: true })
  const cfg = awakeConfig()
  let db = process.env.E2E_DB
  if (!db) {
    db = join(tmp, 'demo.db')
    const r = spawnSync(hk, ['--db', db, '--config', cfg, 'demo', '--accounts', '3000', '--no-serve'],
      { env: { ...process.env, LANG: 'en_US.UTF-8' }, encoding: 'utf8' })
    ok('the demo portfolio', r.status === 0, r.stderr)
  }
  const { base, proc } = await serve(db, cfg)
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] })
  try {
    // every role logs in and lands on its page
    for (const user of ['admin', 'wang.jl', 'zhang.zz', 'li.na', 'sun.sj', 'wu.wb']) {
      const { ctx, page } = await login(browser, base, user)
      await page.waitForLoadState('networkidle')
      ok(`${user} logs in`, !page.url().includes('/login'), page.url())
      await page.screenshot({ path: join(out, `home-${user}.png`) })
      await ctx.close()
    }

    // a collector's queue and case page, each usable within a second of
    // the click.  Timed from a menu click (the log-in itself, with its
    // deliberately slow password hash, is reported apart), three times
    // each; the median is what is checked, so one stall on a busy CI
    // machine does not decide it.
    const { ctx, page, t0 } = await login(browser, base, 'li.na')
    await page.waitForSelector('.el-table__body tr.el-table__row', { timeout: 15000 })
    const loginMs = Date.now() - t0
    const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
    const menu = (path) => page.locator(`.hk-menu .el-menu-item`).nth(path === '/queue' ? 0 : 1)
    const queueTimes = []
    const caseTimes = []
    for (let round = 0; round < 3; round++) {
      await menu('/cases').click()
      await page.waitForSelector('.hk-filters', { timeout: 15000 })
      const tq = Date.now()
      await menu('/queue').click()
      await page.waitForFunction(() => document.querySelector('.hk-stats') && !document.querySelector('.hk-filters') &&
        document.querySelector('.el-table__body tr.el-table__row'), null, { timeout: 15000 })
      queueTimes.push(Date.now() - tq)
      const tc = Date.now()
      await page.click('.el-table__body tr.el-table__row')
      await page.waitForURL(/\/cases\/[0-9]+/)
      await page.waitForSelector('.el-timeline, .hk-card', { timeout: 15000 })
      caseTimes.push(Date.now() - tc)
      if (round === 0) await page.screenshot({ path: join(out, 'case.png'), fullPage: true })
    }
    const queueMs = median(queueTimes)
    const caseMs = median(caseTimes)
    // Speed is judged by the benchmark (bench/api.sh: E2E_DB, the
    // 1,000,000-account demo, on a quiet machine), never in make test,
    // where the machine is shared with other tests: there it is reported.
    const judged = !!process.env.E2E_DB
    for (const [what, ms, times] of [['queue', queueMs, queueTimes], ['case page', caseMs, caseTimes]]) {
      const line = `the ${what} is usable ${ms} ms after the click (median of ${times.join(', ')}; ≤ 1000)`
      if (judged) ok(line, ms <= 1000)
      else console.log(`# ${line}`)
    }
    await menu('/queue').click()
    await page.waitForSelector('.hk-stats', { timeout: 15000 })
    await page.screenshot({ path: join(out, 'queue.png') })
    await page.click('.el-table__body tr.el-table__row')
    await page.waitForURL(/\/cases\/[0-9]+/)
    await page.waitForSelector('.el-timeline, .hk-card', { timeout: 15000 })
    const caseId = page.url().match(/\/cases\/([0-9]+)/)[1]
    await page.screenshot({ path: join(out, 'case.png'), fullPage: true })

    // record a call: no answer
    const outcome = page.locator('.el-form-item', { hasText: '结果' }).first().locator('.el-select')
    await outcome.click()
    await page.locator('.el-select-dropdown__item:visible', { hasText: '无人接听' }).first().click()
    await page.locator('button', { hasText: '保存记录' }).first().click()
    const saved = await page.locator('.el-message--success, .hk-refusal').first().waitFor({ timeout: 10000 }).then(() => true, () => false)
    const refusal = await page.locator('.hk-refusal').count()
    ok('a call is recorded', saved && refusal === 0, refusal ? await page.locator('.hk-refusal').innerText() : '')

    // take a promise, three days on; it shows in the case
    const before = await (await page.request.get(`${base}/api/cases/${caseId}`)).json()
    const due = new Date(Date.now() + 3 * 86400000).toISOString().slice(0, 10)
    await page.locator('input[placeholder="500.00"]').fill('100.00')
    const dateInput = page.locator('.el-form').filter({ has: page.locator('input[placeholder="500.00"]') }).locator('.el-date-editor input')
    await dateInput.fill(due)
    await dateInput.press('Enter')
    await page.locator('button', { hasText: '记录承诺' }).first().click()
    await page.waitForTimeout(800)
    const after = await (await page.request.get(`${base}/api/cases/${caseId}`)).json()
    const nb = (before.promises || []).length
    const na = (after.promises || []).length
    ok('a promise is taken and shows in the case', na === nb + 1 &&
      after.promises.some((p) => p.amount === '100.00' && p.due_on === due), `${nb} → ${na}`)
    await page.screenshot({ path: join(out, 'case-after.png'), fullPage: true })

    // a status move the flow does not allow (a new case straight to
    // "promised") is refused, with the server's reason
    await page.locator('.el-tabs__item', { hasText: '状态' }).first().click()
    const statusForm = page.locator('.el-form').filter({ has: page.locator('button', { hasText: '变更状态' }) })
    await statusForm.locator('.el-form-item', { hasText: '改为' }).locator('.el-select').click()
    await page.locator('.el-select-dropdown__item:visible', { hasText: '已承诺' }).first().click()
    await statusForm.locator('textarea').fill('测试：流程外的状态')
    await statusForm.locator('button', { hasText: '变更状态' }).click()
    const statusRefused = await page.locator('.hk-refusal').first().waitFor({ timeout: 10000 }).then(() => true, () => false)
    ok('a status move outside the flow is refused in the interface, with the reason', statusRefused &&
      (await page.locator('.hk-refusal').first().innerText()).length > 4)
    await page.screenshot({ path: join(out, 'status-refused.png'), fullPage: true })

    // a case that is not the collector's is refused in the interface
    const other = spawnSync('sqlite3', [db, "select min(ref) from cases where collector_ref = (select ref from users where username = 'chen.jing')"], { encoding: 'utf8' }).stdout.trim()
    await page.goto(`${base}/cases/${other}`)
    const refused = await page.locator('.el-result, .el-alert--error').first().waitFor({ timeout: 10000 }).then(() => true, () => false)
    ok('another collector\'s case is refused in the interface', refused)
    await page.screenshot({ path: join(out, 'refused.png') })

    // the language switch
    await page.goto(`${base}/queue`)
    await page.locator('.el-radio-button', { hasText: 'EN' }).click()
    const english = await page.getByText('Workstation').first().waitFor({ timeout: 5000 }).then(() => true, () => false)
    ok('the language switches to English', english)
    await page.screenshot({ path: join(out, 'queue-en.png') })
    await ctx.close()

    // a team leader approves a waiver from the approvals inbox, and the
    // ledger changes: the account's penalty due falls by the amount waived
    const exportOf = () => {
      const r = spawnSync(hk, ['--db', db, 'export', 'accounts'], { encoding: 'utf8' })
      const [head, ...rows] = r.stdout.trim().split('\n')
      const cols = head.split(',')
      return new Map(rows.map((l) => {
        const v = l.split(',')
        return [v[0], Object.fromEntries(cols.map((c, i) => [c, v[i]]))]
      }))
    }
    const fen = (t) => Math.round(Number(t) * 100) // export figures, integers in fen
    const lina = spawnSync('sqlite3', [db, "select a.account_id || ' ' || a.case_ref from accounts a join cases c on c.ref = a.case_ref join users u on u.ref = c.collector_ref where u.username = 'li.na' and c.agency_ref is null order by a.ref"], { encoding: 'utf8' }).stdout.trim().split('\n').map((l) => l.split(' '))
    const ledger0 = exportOf()
    const pick = lina.find(([acc]) => ledger0.get(acc) && fen(ledger0.get(acc).penalty_due) >= 10 &&
      fen(ledger0.get(acc).total_overdue) >= 1000)
    ok('an overdue account of li.na\'s with penalty to waive', !!pick)
    if (pick) {
      const [acc, caseRef] = pick
      const amount = 5 // 0.05 yuan: within a team leader's 10%
      const s1 = await fetch(`${base}/api/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: 'li.na', password: PASSWORD, bearer: true }) })
      const bearer = (await s1.json()).token
      const w = await fetch(`${base}/api/cases/${caseRef}/waivers`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${bearer}` },
        body: JSON.stringify({ account_id: acc, component: 'penalty', amount: '0.05', reason: '困难减免（测试）' })
      })
      const wid = (await w.json()).id
      ok('li.na asks for a waiver', w.status === 201 && wid)
      const lead = await login(browser, base, 'zhang.zz')
      await lead.page.goto(`${base}/team`)
      const row = lead.page.locator('.el-table__row', { hasText: acc }).first()
      await row.waitFor({ timeout: 10000 })
      await lead.page.screenshot({ path: join(out, 'team-approvals.png'), fullPage: true })
      await row.locator('button', { hasText: '批准' }).click()
      const done = await lead.page.locator('.el-message--success').first().waitFor({ timeout: 10000 }).then(() => true, () => false)
      ok('the team leader approves it in the inbox', done)
      const after = exportOf().get(acc)
      ok('the ledger changes: penalty due down by 0.05, waived up by 0.05',
        fen(after.penalty_due) === fen(ledger0.get(acc).penalty_due) - amount &&
        fen(after.waived_total) === fen(ledger0.get(acc).waived_total) + amount,
        `${ledger0.get(acc).penalty_due} → ${after.penalty_due}`)

      // the collector's promise shows in the day's figures
      await lead.page.goto(`${base}/dashboard`)
      const lineOfLina = lead.page.locator('.hk-dash-collectors .el-table__row', { hasText: 'li.na' }).first()
      const seen = await lineOfLina.waitFor({ timeout: 10000 }).then(() => true, () => false)
      // its last two cells: today's contacts and promises (one call and one
      // promise were made above, on a fresh demo)
      const cells = seen ? (await lineOfLina.locator('td').allInnerTexts()).map((x) => x.trim()) : []
      const [contacts, promises] = cells.slice(-2)
      ok('the day\'s figures show li.na\'s call and promise', seen &&
        (process.env.E2E_DB ? Number(contacts) >= 1 && Number(promises) >= 1 : contacts === '1' && promises === '1'),
        cells.join(' | '))
      await lead.page.screenshot({ path: join(out, 'dashboard-team.png'), fullPage: true })
      await lead.ctx.close()
    }
    for (const [user, path, name] of [['wang.jl', '/dashboard', 'dashboard'], ['admin', '/admin', 'admin'],
      ['admin', '/admin?tab=strategies', 'admin-strategies'], ['admin', '/admin?tab=config', 'admin-config'],
      ['admin', '/admin?tab=scripts', 'admin-scripts'], ['sun.sj', '/audit', 'audit'],
      ['wu.wb', '/queue', 'agency-queue']]) {
      const s2 = await login(browser, base, user)
      await s2.page.goto(base + path)
      await s2.page.waitForLoadState('networkidle')
      await s2.page.waitForTimeout(500)
      ok(`${user} opens ${path}`, !s2.page.url().includes('/login'))
      if (name === 'dashboard') {
        // the rankings and the roll-rate matrix show what the API says
        const dash = await (await s2.page.request.get(`${base}/api/dashboard`)).json()
        const ranked = (await s2.page.locator('.hk-dash-rankings .el-table__row').allInnerTexts())
          .slice(0, dash.rankings.collectors.length)
        ok('the rankings in the API\'s order', dash.rankings.collectors.length > 0 &&
          dash.rankings.collectors.every((c, i) => (ranked[i] || '').includes(c.username)), ranked.join(' / '))
        const first = dash.roll_rates[0]
        const shown = first ? first.rows.filter((r) => r.accounts > 0) : []
        const rollLines = await s2.page.locator('.hk-dash-rolls .el-table__body-wrapper .el-table__row').allInnerTexts()
        ok('the newest month\'s roll-rate matrix, a line per bucket with accounts', shown.length > 0 &&
          rollLines.length === shown.length && rollLines.every((l, i) => l.split(/\s+/)[0] === shown[i].bucket &&
            l.split(/\s+/)[1] === String(shown[i].accounts)), rollLines.join(' / '))
      }
      await s2.page.screenshot({ path: join(out, `${name}.png`), fullPage: true })
      await s2.ctx.close()
    }
    await caseActions(browser, base, db, [caseId, other, pick ? pick[1] : ''])
    await lettersAndMessages(browser, base, db)
    await reports(browser, base)
    console.log(`# times: log-in to queue ${loginMs} ms; queue ${queueMs} ms and case page ${caseMs} ms after the click (medians of 3)`)
  } finally {
    await browser.close()
    proc.kill('SIGTERM')
    rmSync(tmp, { recursive: true, force: true })
  }
}

main().then(() => {
  console.log(`e2e: ${passed} passed, ${failed} failed`)
  process.exit(failed ? 1 : 0)
}, (e) => {
  console.log(`not ok - e2e run: ${e.stack || e}`)
  if (e.cause) console.log(`# cause: ${e.cause.stack || e.cause}`)
  // the server's last words, when it is the one that went away
  try {
    const lines = readFileSync(join(out, 'server.log'), 'utf8').split('\n')
    for (const l of lines.filter((x) => !x.startsWith('{"time"')).slice(-30)) console.log(`# server: ${l}`)
    for (const l of lines.slice(-15)) if (l.startsWith('{"time"')) console.log(`# server: ${l}`)
  } catch {}
  console.log(`e2e: ${passed} passed, ${failed + 1} failed`)
  process.exit(1)
})
