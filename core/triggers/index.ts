// Public entry of triggers: `import { createTriggers } from 'n8n-nodes-coupon-kit/core/triggers'`.
export { createTriggers, customerKeyOf } from './service';
export { evaluateThreshold, measuredAmount } from './threshold';
export { cartDeadline, cartSnapshot, checkCartOptions } from './carts';
export { nextOccurrence, parseCalendar } from './calendar';
export { nextAnnual, annualRule, purchaseMilestone } from './milestones';
export { normaliseOrder, normaliseCart } from './events';
export type { OrderField, CartField, NormaliseOptions } from './events';
export { lifecycleTypeOf } from './lifecycle';
export { holidaysIn, holidayPlaces } from './holidays';
export type * from './types';
