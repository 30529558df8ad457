import { describe, expect, it } from 'vitest'
import { ROLES, homeForRole, menuForRole, roleMayOpen } from '../src/lib/nav.js'

const names = (role) => menuForRole(role).map((m) => m.name)

describe('role → menu', () => {
  it('collectors and agency collectors: workstation and cases only', () => {
    expect(names('collector')).toEqual(['queue', 'cases'])
    expect(names('agency_collector')).toEqual(['queue', 'cases'])
  })
  it('team leaders also see the team', () => {
    expect(names('team_leader')).toEqual(['queue', 'cases', 'team'])
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
