import { type Availability, type Location, type Org, type Resource, type User, WEEKDAYS, type Weekday } from './model.js';

/**
 * The fixed part of the DaySchedule seed (dayschedule.md §1): the two organizations with their
 * users, weekly working hours (in the organization's time zone), pages and resources.
 */

function week(hours: Partial<Record<Weekday, Array<[string, string]>>>): Availability[] {
  return WEEKDAYS.slice(1)
    .concat(WEEKDAYS[0])
    .map((day) => {
      const times = (hours[day] ?? []).map(([start, end]) => ({ start, end }));
      return { day, times, is_available: times.length > 0 };
    });
}

const weekdays = (from: string, to: string, extra: Partial<Record<Weekday, Array<[string, string]>>> = {}) => ({
  MON: [[from, to]] as Array<[string, string]>,
  TUE: [[from, to]] as Array<[string, string]>,
  WED: [[from, to]] as Array<[string, string]>,
  THU: [[from, to]] as Array<[string, string]>,
  FRI: [[from, to]] as Array<[string, string]>,
  ...extra,
});

export interface OrgPlan {
  org: Org;
  users: Array<Omit<User, 'org_id' | 'time_zone' | 'page_id' | 'booking_url' | 'status'>>;
  pages: Array<{ page_id: number; user_id: number; name: string; domain: string; is_default: boolean }>;
  resources: Array<
    Pick<Resource, 'name' | 'slug' | 'type' | 'event_type' | 'hosts' | 'description' | 'durations' | 'capacity' | 'color' | 'requires_approval'> & {
      price: { amount: number; currency: string } | null;
      location: Location;
    }
  >;
  /** Index of the first seed person used for contacts. */
  peopleFrom: number;
  bookings: number;
}

export const PLANS: OrgPlan[] = [
  {
    org: {
      org_id: 1117,
      name: 'Sunrise Yoga Studio',
      timezone: 'Asia/Kolkata',
      owner_user_id: 3241,
      api_key: 'd186f193b42f6b342a1f1c39c0b420fa',
      domain: 'sunrise-yoga.dayschedule.com',
    },
    users: [
      {
        user_id: 3241,
        name: 'Asha Raman',
        email: 'asha@sunrise-yoga.example',
        phone: '+91 98450 11223',
        role: 'Owner',
        availability: week(weekdays('07:00', '12:00', { SAT: [['08:00', '12:00']] })),
      },
      {
        user_id: 3258,
        name: 'Vikram Nair',
        email: 'vikram@sunrise-yoga.example',
        phone: '+91 98450 22871',
        role: 'Member',
        availability: week(weekdays('09:00', '18:00', { SAT: [['09:00', '13:00']] })),
      },
      {
        user_id: 3266,
        name: 'Ananya Śrīdhar',
        email: 'ananya@sunrise-yoga.example',
        phone: '+91 98450 36410',
        role: 'Member',
        availability: week(weekdays('10:00', '17:00')),
      },
    ],
    pages: [
      { page_id: 1000, user_id: 3241, name: 'Sunrise Yoga Studio', domain: 'sunrise-yoga.dayschedule.com', is_default: true },
      { page_id: 1001, user_id: 3258, name: 'Vikram Nair', domain: 'vikram-nair.dayschedule.com', is_default: false },
    ],
    resources: [
      {
        name: 'Private Yoga Session',
        slug: '/private-yoga',
        type: 'event',
        event_type: 'one_on_one',
        hosts: [3241],
        description: '60-minute 1:1 class',
        durations: [{ type: 'minutes', value: 60 }],
        capacity: 1,
        color: '#039be5',
        requires_approval: false,
        price: { amount: 1500, currency: 'INR' },
        location: { type: 'google_meet', name: 'Google Meet' },
      },
      {
        name: 'Group Hatha Class',
        slug: '/group-hatha',
        type: 'event',
        event_type: 'group',
        hosts: [3258],
        description: 'Hatha flow for all levels, up to 12 students',
        durations: [{ type: 'minutes', value: 60 }],
        capacity: 12,
        color: '#33b679',
        requires_approval: false,
        price: { amount: 500, currency: 'INR' },
        location: { type: 'in_person', name: 'In person', address: '12 MG Road, Bengaluru 560001' },
      },
      {
        name: 'Ayurveda Consultation',
        slug: '/ayurveda-consultation',
        type: 'service',
        event_type: 'one_on_one',
        hosts: [3266],
        description: 'Dosha assessment and diet plan; confirmed by the practitioner',
        durations: [{ type: 'minutes', value: 45 }],
        capacity: 1,
        color: '#f4511e',
        requires_approval: true,
        price: { amount: 2500, currency: 'INR' },
        location: { type: 'phone', name: 'Phone call' },
      },
      {
        name: 'Intro Call',
        slug: '/intro-call',
        type: 'event',
        event_type: 'round_robin',
        hosts: [3241, 3258],
        description: 'Free 30-minute call to find the right class',
        durations: [{ type: 'minutes', value: 30 }],
        capacity: 1,
        color: '#8e24aa',
        requires_approval: false,
        price: null,
        location: { type: 'zoom', name: 'Zoom' },
      },
    ],
    peopleFrom: 0,
    bookings: 44,
  },
  {
    org: {
      org_id: 2245,
      name: 'Berlin Career Coaching',
      timezone: 'Europe/Berlin',
      owner_user_id: 5120,
      api_key: '4501fbe440b1283e0003ffb04bb4c174',
      domain: 'berlin-coaching.dayschedule.com',
    },
    users: [
      {
        user_id: 5120,
        name: 'Katrin Weiß',
        email: 'katrin@berlin-coaching.example',
        phone: '+49 30 2345 6789',
        role: 'Owner',
        availability: week(weekdays('09:00', '17:00')),
      },
      {
        user_id: 5131,
        name: 'Jonas Köhler',
        email: 'jonas@berlin-coaching.example',
        phone: '+49 30 2345 6790',
        role: 'Member',
        availability: week(weekdays('10:00', '18:00')),
      },
    ],
    pages: [{ page_id: 2000, user_id: 5120, name: 'Berlin Career Coaching', domain: 'berlin-coaching.dayschedule.com', is_default: true }],
    resources: [
      {
        name: 'Career Strategy Session',
        slug: '/career-strategy',
        type: 'event',
        event_type: 'one_on_one',
        hosts: [5120],
        description: 'One hour to plan your next career step',
        durations: [{ type: 'minutes', value: 60 }],
        capacity: 1,
        color: '#039be5',
        requires_approval: false,
        price: { amount: 120, currency: 'EUR' },
        location: { type: 'google_meet', name: 'Google Meet' },
      },
      {
        name: 'CV Review',
        slug: '/cv-review',
        type: 'service',
        event_type: 'round_robin',
        hosts: [5120, 5131],
        description: 'Line-by-line review of your CV',
        durations: [{ type: 'minutes', value: 30 }],
        capacity: 1,
        color: '#0b8043',
        requires_approval: false,
        price: { amount: 60, currency: 'EUR' },
        location: { type: 'zoom', name: 'Zoom' },
      },
      {
        name: 'Interview Coaching',
        slug: '/interview-coaching',
        type: 'service',
        event_type: 'one_on_one',
        hosts: [5131],
        description: 'Mock interview with feedback; requests are reviewed first',
        durations: [{ type: 'minutes', value: 90 }],
        capacity: 1,
        color: '#f6bf26',
        requires_approval: true,
        price: { amount: 180, currency: 'EUR' },
        location: { type: 'in_person', name: 'In person', address: 'Torstraße 140, 10119 Berlin' },
      },
      {
        name: 'LinkedIn Masterclass',
        slug: '/linkedin-masterclass',
        type: 'webinar',
        event_type: 'group',
        hosts: [5120],
        description: 'Live webinar on profiles that get found',
        durations: [{ type: 'hours', value: 1 }],
        capacity: 50,
        color: '#e67c73',
        requires_approval: false,
        price: { amount: 25, currency: 'EUR' },
        location: { type: 'zoom', name: 'Zoom' },
      },
    ],
    peopleFrom: 3,
    bookings: 16,
  },
];
