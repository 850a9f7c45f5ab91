// Public holidays from date-holidays; never a table of our own.
import Holidays, { type HolidaysTypes } from 'date-holidays';
import { InvalidArgumentError } from '../errors';

export interface HolidayPlace {
	country: string;
	state?: string;
	region?: string;
	types?: HolidaysTypes.HolidayType[];
}

export interface HolidayDate {
	/** Local date `YYYY-MM-DD`. */
	date: string;
	name: string;
	type: HolidaysTypes.HolidayType;
}

const HOLIDAY_TYPES: readonly HolidaysTypes.HolidayType[] = ['public', 'bank', 'optional', 'school', 'observance'];
const catalogue = new Holidays();
const calendars = new Map<string, Holidays>();
const years = new Map<string, HolidayDate[]>();

function placeKey(p: HolidayPlace): string {
	return [p.country, p.state ?? '', p.region ?? '', (p.types ?? ['public']).join('+')].join('|');
}

/** Upper-cases codes and checks them against the library's own list, naming the field that is wrong. */
export function checkHolidayPlace(place: HolidayPlace, field: string): HolidayPlace {
	const country = typeof place.country === 'string' ? place.country.toUpperCase() : '';
	if (!catalogue.getCountries()[country]) {
		throw new InvalidArgumentError(`${field}.country`, `unknown country ${JSON.stringify(place.country)} (ISO 3166-1 alpha-2, e.g. DE)`);
	}
	const state = place.state ? place.state.toUpperCase() : undefined;
	if (state && !(catalogue.getStates(country) ?? {})[state]) {
		throw new InvalidArgumentError(`${field}.state`, `unknown state ${JSON.stringify(place.state)} in ${country}`);
	}
	const region = place.region ? place.region.toUpperCase() : undefined;
	if (region && (!state || !(catalogue.getRegions(country, state) ?? {})[region])) {
		throw new InvalidArgumentError(`${field}.region`, `unknown region ${JSON.stringify(place.region)} in ${country}${state ? `-${state}` : ''}`);
	}
	const types = place.types ?? ['public'];
	for (const t of types) {
		if (!HOLIDAY_TYPES.includes(t)) throw new InvalidArgumentError(`${field}.types`, `unknown holiday type ${JSON.stringify(t)}`);
	}
	return { country, state, region, types };
}

/** Holidays of one year at a checked place, sorted by date (English names). */
export function holidaysIn(place: HolidayPlace, year: number): HolidayDate[] {
	const key = placeKey(place);
	const cacheKey = `${key}|${year}`;
	const cached = years.get(cacheKey);
	if (cached) return cached;
	let cal = calendars.get(key);
	if (!cal) {
		cal = new Holidays({ country: place.country, state: place.state, region: place.region }, { types: place.types ?? ['public'] });
		calendars.set(key, cal);
	}
	const list = cal
		.getHolidays(year, 'en')
		.map((h) => ({ date: h.date.slice(0, 10), name: h.name, type: h.type }))
		.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
	if (years.size > 500) years.clear();
	years.set(cacheKey, list);
	return list;
}

/** What date-holidays knows, for pickers: countries; with a country its states; with both, the state's regions. */
export function holidayPlaces(country?: string, state?: string): Array<{ code: string; name: string }> {
	const list = country ? (state ? catalogue.getRegions(country.toUpperCase(), state.toUpperCase()) : catalogue.getStates(country.toUpperCase())) : catalogue.getCountries('en');
	return Object.entries(list ?? {})
		.map(([code, name]) => ({ code, name }))
		.sort((a, b) => a.code.localeCompare(b.code));
}
