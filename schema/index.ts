import 'reflect-metadata';

export * from './booking.type.js';
export * from './common.type.js';
export * from './connection.type.js';
export * from './connections.type.js';
export * from './customer.type.js';
export * from './enums.js';
export * from './events.type.js';
export * from './inputs.js';
export * from './node.type.js';
export * from './organization.type.js';
export * from './scalars.js';
export * from './service.type.js';
