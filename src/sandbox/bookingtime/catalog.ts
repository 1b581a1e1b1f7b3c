import type { Route } from '../framework/types.js';
import { type AuthDeps, appRoute, organizationRoute } from './auth.js';
import { dayRange, monthRange, rangeList, weekRange } from './calendar.js';
import { badPage, failure, listOf, ok, paginate, parsePage } from './envelope.js';
import { renderOrganization, renderTemplate } from './render.js';
import { renderSlot, type SlotEngine } from './slots.js';

/**
 * Organization, booking template and booking slot routes (contract §3.1, §3.2, §3.5).
 * Paths are relative to `/app/v3/{locale}`.
 */

export const API = '/app/v3/:locale';
export const ORG = `${API}/organization/:organizationId`;

export function catalogRoutes(deps: AuthDeps, slots: SlotEngine): Route[] {
  const { state } = deps;
  const templateNotFound = () => failure(404, 'Booking template not found.');

  const templateList = organizationRoute(deps, ({ org }) => ok(listOf(state.templatesOf(org.id).map((t) => renderTemplate(state, t)))));
  const templateIndex = organizationRoute(deps, ({ req, org }) => {
    const page = parsePage(req.params.page);
    if (page === null) return badPage();
    return ok(paginate(state.templatesOf(org.id), page, (t) => renderTemplate(state, t)));
  });

  /** `…/bookingSlot/…/list{Month,Week,Day}`: free slots of one template in a local range. */
  const slotRange = (kind: 'month' | 'week' | 'day') =>
    organizationRoute(deps, ({ req, org }) => {
      const p = req.params;
      const parsed =
        kind === 'month'
          ? monthRange(org.timeZone, p.year, p.month)
          : kind === 'week'
            ? weekRange(org.timeZone, p.year, p.week)
            : dayRange(org.timeZone, p.year, p.month, p.day);
      if (!parsed.ok) return failure(400, parsed.messages);
      const template = state.template(org.id, p.bookingTemplateId);
      if (!template) return templateNotFound();
      const free = slots.freeSlots(org, template, parsed.range).map((s) => renderSlot(org, s));
      return ok(rangeList(org.timeZone, parsed.range, free));
    });

  const SLOT = `${ORG}/bookingTemplate/:bookingTemplateId/bookingSlot`;
  return [
    {
      method: 'GET',
      path: `${API}/app/:appId/organization/list`,
      handler: appRoute(deps, () => ok(listOf(state.permittedOrganizations().map(renderOrganization)))),
    },
    { method: 'GET', path: `${ORG}/show`, handler: organizationRoute(deps, ({ org }) => ok(renderOrganization(org))) },
    { method: 'GET', path: `${ORG}/bookingTemplate/list`, handler: templateList },
    // `…All` also covers sub-organizations (contract §3, Assumed); none are seeded.
    { method: 'GET', path: `${ORG}/bookingTemplate/listAll`, handler: templateList },
    { method: 'GET', path: `${ORG}/bookingTemplate/index/:page`, handler: templateIndex },
    { method: 'GET', path: `${ORG}/bookingTemplate/indexAll/:page`, handler: templateIndex },
    {
      method: 'GET',
      path: `${ORG}/bookingTemplate/:bookingTemplateId/show`,
      handler: organizationRoute(deps, ({ req, org }) => {
        const t = state.template(org.id, req.params.bookingTemplateId);
        return t ? ok(renderTemplate(state, t)) : templateNotFound();
      }),
    },
    {
      method: 'GET',
      path: `${ORG}/bookingTemplate/:customId/identify`,
      handler: organizationRoute(deps, ({ req, org }) => {
        const t = state.templatesOf(org.id).find((x) => x.customId !== '' && x.customId === req.params.customId);
        return t ? ok(renderTemplate(state, t)) : templateNotFound();
      }),
    },
    { method: 'GET', path: `${SLOT}/year/:year/month/:month/listMonth`, handler: slotRange('month') },
    { method: 'GET', path: `${SLOT}/year/:year/week/:week/listWeek`, handler: slotRange('week') },
    { method: 'GET', path: `${SLOT}/year/:year/month/:month/day/:day/listDay`, handler: slotRange('day') },
    {
      method: 'GET',
      path: `${SLOT}/earliest`,
      handler: organizationRoute(deps, ({ req, org }) => {
        const template = state.template(org.id, req.params.bookingTemplateId);
        if (!template) return templateNotFound();
        const slot = slots.earliest(org, template);
        return slot ? ok(renderSlot(org, slot)) : failure(404, 'No free booking slot.');
      }),
    },
  ];
}
