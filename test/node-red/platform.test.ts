import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifySignature } from '../../core/platforms/webhook';
import webhookConfigNode from '../../nodes/node-red/coupon-kit-webhook/coupon-kit-webhook';
import platformNode from '../../nodes/node-red/coupon-platform/coupon-platform';
import type { CouponKitStoreNode } from '../../nodes/node-red/lib/store';
import { type Msg, type StoreKind, type TestNode, catchAll, helper, inTab, modules, outcome, STORE_KINDS } from './helpers/flow';

interface Received {
	method: string;
	url: string;
	headers: IncomingMessage['headers'];
	body: string;
}

describe.each(STORE_KINDS.map((make) => [make().name, make] as const))('coupon platform: signed webhook, store on %s', (_name, make) => {
	let server: Server;
	let base: string;
	let answer: { status: number; body: string; type?: string };
	let received: Promise<Received>;
	let store: StoreKind;

	function expectRequest(): void {
		received = new Promise((resolve) => {
			server.once('request', (req: IncomingMessage) => {
				const chunks: Buffer[] = [];
				req.on('data', (c: Buffer) => chunks.push(c));
				req.on('end', () => resolve({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') }));
			});
		});
	}

	beforeAll(async () => {
		server = createServer((req, res) => {
			req.on('end', () => res.writeHead(answer.status, { 'Content-Type': answer.type ?? 'application/json' }).end(answer.body));
			req.resume();
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	});

	afterAll(async () => {
		server.closeAllConnections();
		await new Promise<void>((resolve) => server.close(() => resolve()));
	});

	beforeEach(() => {
		store = make();
		answer = { status: 200, body: '{"received":true}' };
		expectRequest();
	});

	afterEach(async () => {
		await helper.unload();
		store.cleanup();
	});

	async function start(platform: Record<string, unknown> = {}, config: Record<string, unknown> = {}, secret = 's3cret'): Promise<{ out: TestNode; caught: TestNode; node: TestNode }> {
		await helper.load(
			[modules.storeNode, webhookConfigNode, platformNode, modules.catchNode],
			inTab(
				[
					{ id: 'send', type: 'coupon platform', platform: 'webhook', webhook: 'hook', action: 'send', event: 'coupon.issued', wires: [['out']], ...platform },
					{ id: 'out', type: 'helper' },
					catchAll(['caught']),
					{ id: 'caught', type: 'helper' },
				],
				[{ id: 'hook', type: 'coupon-kit-webhook', url: `${base}/hooks/coupons?k=1`, method: 'POST', ...config }, store.node()],
			),
			{ hook: { secret, authorization: 'Bearer t0ken' }, store: store.credentials() },
		);
		return { out: helper.getNode('out') as TestNode, caught: helper.getNode('caught') as TestNode, node: helper.getNode('send') as TestNode };
	}

	async function run(node: TestNode, out: TestNode, caught: TestNode, msg: Msg): Promise<{ msg?: Msg; error?: Msg }> {
		const result = outcome(out, caught);
		node.receive(msg);
		return result;
	}

	it('posts msg.payload as signed JSON and hands back the answer', async () => {
		const { out, caught, node } = await start();
		const payload = { code: 'SPRING-AB12', customerId: 'c-1' };
		const { msg } = await run(node, out, caught, { payload, topic: 't' });
		const req = await received;
		expect(req).toMatchObject({ method: 'POST', url: '/hooks/coupons?k=1', body: JSON.stringify(payload) });
		expect(req.headers).toMatchObject({ 'content-type': 'application/json', 'x-coupon-kit-event': 'coupon.issued', authorization: 'Bearer t0ken' });
		expect(verifySignature({ secret: 's3cret', rawBody: req.body, header: req.headers['x-coupon-kit-signature'] })).toMatchObject({ ok: true });
		expect(msg?.payload).toMatchObject({
			ok: true,
			platform: 'webhook',
			action: 'send',
			statusCode: 200,
			deliveryId: req.headers['x-coupon-kit-delivery'],
			response: { received: true },
			deliveredEventId: null,
		});
		expect(msg?.topic).toBe('t');
	});

	it('sends unsigned without a secret, takes the event from msg.event and the method from the settings', async () => {
		const { out, caught, node } = await start({ event: '' }, { method: 'PUT' }, '');
		await run(node, out, caught, { payload: { a: 1 }, event: 'custom.thing', deliveryId: 'order-7-email' });
		const req = await received;
		expect(req.headers['x-coupon-kit-delivery']).toBe('order-7-email');
		expect(req.method).toBe('PUT');
		expect(req.headers['x-coupon-kit-signature']).toBeUndefined();
		expect(req.headers['x-coupon-kit-event']).toBe('custom.thing');
	});

	it('turns an answer outside 2xx into an error with the status, and a red ring', async () => {
		answer = { status: 503, body: 'down for maintenance', type: 'text/plain' };
		const { out, caught, node } = await start();
		const { error } = await run(node, out, caught, { payload: {} });
		expect(error?.error?.message).toMatch(/webhook: 503 Service Unavailable from http:\/\/127\.0\.0\.1:\d+$/);
	});

	it('writes a delivered event for the code it sent', async () => {
		const { out, caught, node } = await start({ recordDelivery: true, store: 'store' });
		const engine = await (helper.getNode('store') as unknown as CouponKitStoreNode).engine();
		await engine.createCampaign({ id: 'spring', discount: { type: 'freeShipping' } });
		const issued = await engine.issue({ campaignId: 'spring' });
		if (!issued.ok) throw new Error(issued.reason);
		const { msg } = await run(node, out, caught, { payload: issued });
		expect((msg?.payload as { deliveredEventId: string }).deliveredEventId).toMatch(/^[0-9a-f-]{36}$/);
		expect(await engine.stats({ campaignId: 'spring' })).toMatchObject({ delivered: 1 });
	});

	it('names the missing settings', async () => {
		const { out, caught, node } = await start({ webhook: '' });
		const { error } = await run(node, out, caught, { payload: {} });
		expect(error?.error?.message).toMatch(/webhook: select the coupon-kit-webhook settings/);
	});
});
