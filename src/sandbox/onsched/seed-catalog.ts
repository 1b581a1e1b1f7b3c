import type { Address, Company, Location, WeekHours } from './model.js';

/**
 * The fixed part of the OnSched seed (contract §1): the demo account, its two companies, the foreign
 * company, their locations (time zones, business hours), services and resources.
 */

export const DEMO_ACCOUNT_ID = 'account-demo';
export const FOREIGN_ACCOUNT_ID = 'account-foreign';
/** The dashboard refresh token of §1 and its session (JWT `session_id`). */
export const SEED_REFRESH_TOKEN = 'Ezjaxqlu3buklKF8hdRCBj';
export const SEED_SESSION_ID = 'c8ca205c-ba0c-4beb-ae91-79f3c5531701';
export const DEMO_USER_ID = '00a1e157-1e73-47ed-8701-e41832c6c99e';
export const DEMO_USER_EMAIL = 'owner@onsched-demo.example';

export const HARBOR_ID = 'f8dc03c7-b8dc-43f6-9ae9-8c557b2e9013';
export const MAPLE_ID = '2c3a33ac-1a68-45bd-8955-8c984cd4780e';
export const THAMES_ID = '11530702-ef73-4b7e-a981-462934103199';
export const MANHATTAN_ID = 'a90e952a-4641-446b-a61a-eb684eab84c5';
export const DENVER_ID = 'b8e79be4-df1d-4c5d-9a22-0c2ffdc95f37';
export const VANCOUVER_ID = 'e2825079-2be6-4fd9-ad3c-335e35857458';
export const LONDON_ID = '9050b27d-277c-4b10-b4a3-98fca864c3ad';

const weekdays = (open: number, close: number, saturday: { open: number; close: number } | null = null): WeekHours => [
  null,
  { open, close },
  { open, close },
  { open, close },
  { open, close },
  { open, close },
  saturday,
];

const address = (addressLine1: string, city: string, state: string, postalCode: string, country: string): Address => ({
  addressLine1,
  addressLine2: null,
  city,
  state,
  postalCode,
  country,
});

export const COMPANIES: readonly Company[] = [
  {
    id: HARBOR_ID,
    accountId: DEMO_ACCOUNT_ID,
    name: 'Harbor Physio',
    email: 'admin@harborphysio.example',
    phone: '2125550100',
    address: address('77 Water St', 'New York', 'NY', '10005', 'US'),
    timezoneName: 'America/New_York',
    timezoneId: 'Eastern Standard Time',
    registrationDate: '2024-04-02T14:00:00Z',
    apiKey: 'wFmDio2DDdsVcbettsTkridYsmBb33n8',
    publicClientId: 'e1gTeCUGmmhLyPNxHSxC',
    confirmationPrefix: 'HP',
  },
  {
    id: MAPLE_ID,
    accountId: DEMO_ACCOUNT_ID,
    name: 'Maple Leaf Dental',
    email: 'admin@mapleleafdental.example',
    phone: '6045550142',
    address: address('1055 W Georgia St', 'Vancouver', 'BC', 'V6E 3P3', 'CA'),
    timezoneName: 'America/Vancouver',
    timezoneId: 'Pacific Standard Time',
    registrationDate: '2024-06-11T17:30:00Z',
    apiKey: 'vyJE3NVKuQ4lZpcnGvHxTPtdS5CmNaFh',
    publicClientId: 'BKMxiQhiAi5y3hiKoxPi',
    confirmationPrefix: 'ML',
  },
  {
    id: THAMES_ID,
    accountId: FOREIGN_ACCOUNT_ID,
    name: 'Thames Tutoring',
    email: 'admin@thamestutoring.example',
    phone: '2079460958',
    address: address('12 Bankside', 'London', '', 'SE1 9JE', 'GB'),
    timezoneName: 'Europe/London',
    timezoneId: 'GMT Standard Time',
    registrationDate: '2023-11-20T10:00:00Z',
    apiKey: 'n47EJMqgBDWOYmUSZQEzT9JRVBgC7CPq',
    publicClientId: 'ERySkm0ItBQwd1hDwBlS',
    confirmationPrefix: 'TT',
  },
];

export const LOCATIONS: readonly Omit<Location, 'primaryCalendarId'>[] = [
  {
    id: MANHATTAN_ID,
    companyId: HARBOR_ID,
    name: 'Harbor Physio – Manhattan',
    primaryBusiness: true,
    timezoneIana: 'America/New_York',
    timezoneId: 'Eastern Standard Time',
    email: 'manhattan@harborphysio.example',
    phone: '2125550100',
    address: address('77 Water St', 'New York', 'NY', '10005', 'US'),
    hours: weekdays(8 * 60, 18 * 60, { open: 9 * 60, close: 13 * 60 }),
  },
  {
    id: DENVER_ID,
    companyId: HARBOR_ID,
    name: 'Harbor Physio – Denver',
    primaryBusiness: false,
    timezoneIana: 'America/Denver',
    timezoneId: 'Mountain Standard Time',
    email: 'denver@harborphysio.example',
    phone: '7205550188',
    address: address('1600 Champa St', 'Denver', 'CO', '80202', 'US'),
    hours: weekdays(9 * 60, 17 * 60),
  },
  {
    id: VANCOUVER_ID,
    companyId: MAPLE_ID,
    name: 'Maple Leaf Dental – Vancouver',
    primaryBusiness: true,
    timezoneIana: 'America/Vancouver',
    timezoneId: 'Pacific Standard Time',
    email: 'frontdesk@mapleleafdental.example',
    phone: '6045550142',
    address: address('1055 W Georgia St', 'Vancouver', 'BC', 'V6E 3P3', 'CA'),
    hours: weekdays(8 * 60, 17 * 60),
  },
  {
    id: LONDON_ID,
    companyId: THAMES_ID,
    name: 'Thames Tutoring – London',
    primaryBusiness: true,
    timezoneIana: 'Europe/London',
    timezoneId: 'GMT Standard Time',
    email: 'bankside@thamestutoring.example',
    phone: '2079460958',
    address: address('12 Bankside', 'London', '', 'SE1 9JE', 'GB'),
    hours: weekdays(10 * 60, 19 * 60, { open: 10 * 60, close: 14 * 60 }),
  },
];

export type ServiceSpec = [name: string, description: string, duration: number, interval: number, fee: number, locationId: string | null];
export type ResourceSpec = [name: string, email: string, locationId: string];

export const CATALOG: ReadonlyArray<{ companyId: string; services: ServiceSpec[]; resources: ResourceSpec[] }> = [
  {
    companyId: HARBOR_ID,
    services: [
      ['Initial Assessment', '60-minute physiotherapy assessment', 60, 30, 95.0, null],
      ['Follow-up Treatment', '45-minute treatment session', 45, 15, 70.0, null],
      ['Sports Massage', '30-minute sports massage', 30, 30, 55.0, MANHATTAN_ID],
      ['Dry Needling', '30-minute dry needling session', 30, 30, 60.0, null],
    ],
    resources: [
      ['Dr. Priya Nair', 'priya@harborphysio.example', MANHATTAN_ID],
      ['Marcus Oyelaran', 'marcus@harborphysio.example', MANHATTAN_ID],
      ['Inés Castillo', 'ines@harborphysio.example', DENVER_ID],
    ],
  },
  {
    companyId: MAPLE_ID,
    services: [
      ['Dental Cleaning', 'Scale and polish with a hygienist', 60, 30, 140.0, null],
      ['Check-up', 'Routine examination', 30, 30, 85.0, null],
      ['Teeth Whitening', 'In-office whitening treatment', 90, 30, 320.0, null],
    ],
    resources: [
      ['Dr. Émilie Tremblay', 'emilie@mapleleafdental.example', VANCOUVER_ID],
      ['Dr. Raj Patel', 'raj@mapleleafdental.example', VANCOUVER_ID],
      ['Sofía Ortega', 'sofia@mapleleafdental.example', VANCOUVER_ID],
    ],
  },
  {
    companyId: THAMES_ID,
    services: [
      ['GCSE Maths', 'One-to-one GCSE maths lesson', 60, 30, 45.0, null],
      ['A-level Physics', 'One-to-one A-level physics lesson', 90, 30, 65.0, null],
      ['Essay Coaching', 'Essay planning and feedback', 45, 15, 40.0, null],
    ],
    resources: [
      ['Amara Okafor', 'amara@thamestutoring.example', LONDON_ID],
      ['Hugo Beaumont', 'hugo@thamestutoring.example', LONDON_ID],
      ['Siobhán Kelly', 'siobhan@thamestutoring.example', LONDON_ID],
    ],
  },
];

/** Ids of the contract's example records (§3.2), kept so its examples resolve. */
export const EXAMPLE_SERVICE_ID = '6f0e6c1a-3b1d-4c55-9a0b-2f7d2e5b8c11';
export const EXAMPLE_RESOURCE_ID = '3d9b2f4e-8a71-4c0e-b5d2-7e1f9a6c4b20';
