'use strict';
// Bulk generation of 1,000,000 unique 10-character codes over the default 31-symbol charset:
// coupon-kit's generateCodes against referral-codes and voucher-code-generator, in one process.
// Needs the built package: npx tsc -p tsconfig.build.json

const { generateCodes, DEFAULT_CHARSET } = require('../../dist/core/codes');
const voucherCodes = require('voucher-code-generator');
const { collectGarbage } = require('./gc');
const { median } = require('./median');

const COUNT = 1_000_000;
const LENGTH = 10;
const WARM_UP_COUNT = 100_000;
const ROUNDS = 3;
const TARGET = 3;

function timed(generate, count) {
	// collect the previous round's codes outside the clock
	collectGarbage();
	const start = process.hrtime.bigint();
	const codes = generate(count);
	const ms = Number(process.hrtime.bigint() - start) / 1e6;
	if (codes.length !== count || new Set(codes).size !== count) throw new Error(`${count} unique codes expected`);
	if (codes.some((code) => code.length !== LENGTH)) throw new Error(`codes of ${LENGTH} characters expected`);
	return ms;
}

module.exports = async function run() {
	const referralCodes = await import('referral-codes');
	const contenders = [
		{ name: 'coupon-kit generateCodes', generate: (count) => generateCodes({ count, length: LENGTH }) },
		{
			name: 'referral-codes',
			generate: (count) => referralCodes.generate({ count, length: LENGTH, charset: DEFAULT_CHARSET }),
		},
		{
			name: 'voucher-code-generator',
			generate: (count) => voucherCodes.generate({ count, length: LENGTH, charset: DEFAULT_CHARSET }),
		},
	];
	for (const c of contenders) timed(c.generate, WARM_UP_COUNT);
	const times = contenders.map(() => []);
	// Rounds interleave the contenders so a busy moment of the machine hits all of them alike.
	for (let round = 0; round < ROUNDS; round++) {
		contenders.forEach((c, i) => times[i].push(timed(c.generate, COUNT)));
	}
	const rates = times.map((t) => COUNT / (median(t) / 1000));
	const [ours, ...others] = rates;
	const baseline = Math.max(...others);
	const unit = 'codes/s';
	const label = `codes: ${COUNT.toLocaleString('en')} unique ${LENGTH}-char codes, median of ${ROUNDS}`;
	return [
		{
			name: `${label}, ${contenders[0].name} (baseline: the faster other)`,
			value: Math.round(ours),
			unit,
			baseline: Math.round(baseline),
			ratio: +(ours / baseline).toFixed(2),
			target: TARGET,
			met: ours / baseline >= TARGET,
		},
		...others.map((rate, i) => ({
			name: `${label}, ${contenders[i + 1].name}`,
			value: Math.round(rate),
			unit,
			baseline: undefined,
			ratio: undefined,
			target: undefined,
		})),
	];
};

if (require.main === module) {
	module.exports().then(
		(rows) => console.table(rows),
		(error) => {
			console.error(error);
			process.exitCode = 1;
		},
	);
}
