import { describe, expect, it } from 'vitest'
import { ROLES, adminRights, homeForRole, mayAssign, menuForRole, reportPickers, roleMayOpen } from '../src/lib/nav.js'

const names = (role) => menuForRole(role).map((m) => m.name)

describe('role → menu', () => {
  it('collectors and agency collectors: workstation and cases only', () => {
    expect(names('collector')).toEqual(['queue', 'cases', 'templates'])
    expect(names('agency_collector')).toEqual(['queue', 'cases', 'reports'])
  })
  it('team leaders also see the team', () => {
    expect(names('team_leader')).toEqual(['queue', 'cases', 'team', 'dashboard', 'reports', 'batches', 'outbox', 'templates'])
  })
  it('managers and admins: dashboard and administration', () => {
    expect(names('manager')).toContain('dashboard')
    expect(names('manager')).toContain('admin')
    expect(names('admin')).toContain('dashboard')
    expect(names('admin')).toContain('admin')
    expect(names('admin')).toContain('audit')
    expect(names('manager')).not.toContain('audit')
  })
  it('auditors: the audit log first', () => {
    expect(names('auditor')[0]).toBe('audit')
    expect(names('auditor')).not.toContain('queue')
  })
  it('an unknown role sees nothing', () => {
    expect(menuForRole('nobody')).toEqual([])
    expect(menuForRole(null)).toEqual([])
    expect(homeForRole('nobody')).toBe('/forbidden')
  })
  it('every role has a home that is its first menu entry', () => {
    for (const r of ROLES) expect(homeForRole(r)).toBe(menuForRole(r)[0].path)
    expect(homeForRole('collector')).toBe('/queue')
    expect(homeForRole('manager')).toBe('/dashboard')
    expect(homeForRole('auditor')).toBe('/audit')
  })
})

describe('roleMayOpen', () => {
  it('guards the pages by role', () => {
    expect(roleMayOpen('collector', 'queue')).toBe(true)
    expect(roleMayOpen('collector', 'audit')).toBe(false)
    expect(roleMayOpen('collector', 'dashboard')).toBe(false)
    expect(roleMayOpen('auditor', 'audit')).toBe(true)
    expect(roleMayOpen('auditor', 'queue')).toBe(false)
    expect(roleMayOpen('team_leader', 'team')).toBe(true)
    expect(roleMayOpen('collector', 'team')).toBe(false)
  })
  it('the case page goes with the case list; unlisted pages are open', () => {
    expect(roleMayOpen('collector', 'case')).toBe(true)
    expect(roleMayOpen('nobody', 'case')).toBe(false)
    expect(roleMayOpen('collector', 'notfound')).toBe(true)
    expect(roleMayOpen('collector', 'forbidden')).toBe(true)
  })
})

describe('new pages by role', () => {
  it('team page for team leaders, managers and admins; dashboard also for team leaders', () => {
    for (const r of ['team_leader', 'manager', 'admin']) {
      expect(roleMayOpen(r, 'team'), r).toBe(true)
      expect(roleMayOpen(r, 'dashboard'), r).toBe(true)
    }
    expect(roleMayOpen('collector', 'dashboard')).toBe(false)
    expect(roleMayOpen('auditor', 'team')).toBe(false)
    expect(homeForRole('team_leader')).toBe('/queue')
    expect(names('admin')).toEqual(['dashboard', 'reports', 'cases', 'team', 'batches', 'outbox', 'admin', 'audit'])
  })
  it('administration: admins everything, managers view strategies, agencies and the configuration only', () => {
    expect(Object.values(adminRights('admin')).every(Boolean)).toBe(true)
    expect(adminRights('manager')).toEqual({
      users: false,
      teams: false,
      strategiesView: true,
      strategiesEdit: false,
      agencies: true,
      agenciesEdit: false,
      scripts: false,
      config: true,
      templates: true,
      templatesEdit: false
    })
    expect(Object.values(adminRights('collector')).some(Boolean)).toBe(false)
    expect(roleMayOpen('team_leader', 'admin')).toBe(false)
  })
  it('who may reassign a case', () => {
    expect(['team_leader', 'manager', 'admin'].every(mayAssign)).toBe(true)
    expect(['collector', 'agency_collector', 'auditor'].some(mayAssign)).toBe(false)
  })
})

describe('letters and messages (issue 7)', () => {
  it('letter batches: admins, managers, team leaders and auditors; not collectors', () => {
    for (const r of ['admin', 'manager', 'team_leader', 'auditor']) expect(roleMayOpen(r, 'batches'), r).toBe(true)
    for (const r of ['collector', 'agency_collector']) expect(roleMayOpen(r, 'batches'), r).toBe(false)
  })
  it('the outbox: the same roles', () => {
    for (const r of ['admin', 'manager', 'team_leader', 'auditor']) expect(roleMayOpen(r, 'outbox'), r).toBe(true)
    for (const r of ['collector', 'agency_collector']) expect(roleMayOpen(r, 'outbox'), r).toBe(false)
  })
  it('templates: a tab of 管理 for admins and managers, a page of its own for the roles that read them', () => {
    expect(adminRights('admin').templates && adminRights('admin').templatesEdit).toBe(true)
    expect(adminRights('manager').templatesEdit).toBe(false)
    for (const r of ['team_leader', 'collector', 'auditor']) {
      expect(names(r), r).toContain('templates')
      expect(adminRights(r).templates, r).toBe(false)
    }
    for (const r of ['admin', 'manager']) {
      expect(names(r), r).not.toContain('templates')
      expect(roleMayOpen(r, 'templates'), r).toBe(true)
    }
    // GET /api/templates is not for agency collectors
    expect(roleMayOpen('agency_collector', 'templates')).toBe(false)
    expect(roleMayOpen('nobody', 'templates')).toBe(false)
  })
  it('the homes do not move', () => {
    expect(homeForRole('collector')).toBe('/queue')
    expect(homeForRole('team_leader')).toBe('/queue')
    expect(homeForRole('manager')).toBe('/dashboard')
    expect(homeForRole('auditor')).toBe('/audit')
  })
})

describe('reports (issue 8)', () => {
  it('the page for admins, managers, team leaders, auditors and agency collectors; not collectors', () => {
    for (const r of ['admin', 'manager', 'team_leader', 'auditor', 'agency_collector']) {
      expect(names(r), r).toContain('reports')
      expect(roleMayOpen(r, 'reports'), r).toBe(true)
    }
    expect(roleMayOpen('collector', 'reports')).toBe(false)
    expect(roleMayOpen('nobody', 'reports')).toBe(false)
  })
  it('the filter pickers by what each role may list', () => {
    // /api/teams and /api/users: admins, managers, auditors
    for (const r of ['admin', 'manager', 'auditor']) {
      expect(reportPickers(r), r).toEqual({ team: true, collector: true, collectorsFromDashboard: false, agency: true, strategy: true })
    }
    // a team leader: the team is fixed; the collectors from the dashboard
    expect(reportPickers('team_leader')).toEqual({ team: false, collector: true, collectorsFromDashboard: true, agency: true, strategy: true })
    // an agency collector: their agency's placements, nothing to pick
    expect(Object.values(reportPickers('agency_collector')).some(Boolean)).toBe(false)
  })
})
