// Browser test of the Node-RED editor with the packed Coupon Kit: the palette, every edit dialog, the
// Quick tour imported from Import › Examples, deployed, clicked through, and read in the debug sidebar.
// Screenshots go to docs/images/. Needs Debian's chromium (/usr/bin/chromium); run with `npm run test:e2e`.
'use strict';
const { after, before, test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { chromium } = require('playwright-core');
const { ROOT, freePort, installInto, packProject, startNodeRed, tempDir, writeSettings } = require('../../scripts/node-red-userdir');

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const IMAGES = path.join(ROOT, 'docs', 'images');
const TYPES = ['coupon', 'coupon trigger', 'coupon webhook', 'coupon platform'];
const PKG = require('../../package.json').name;

let dir;
let red;
let browser;
let page;

/** The id of the node with this name in the editor (imported copies may get new ids). */
async function idOf(name) {
	const id = await page.evaluate((n) => {
		let found = null;
		RED.nodes.eachNode((node) => {
			if (node.name === n) found = node.id;
		});
		return found;
	}, name);
	assert.ok(id, `no node named "${name}" in the editor`);
	return id;
}

async function showTab(label) {
	await page.click(`.red-ui-tab:has-text("${label}") a`);
	await page.waitForFunction((l) => RED.workspaces.active() && RED.nodes.workspace(RED.workspaces.active()).label === l, label);
}

/** Waits until the newest edit tray has slid in, stopped moving and is on top of the sidebar. */
async function trayOpen() {
	await page.waitForFunction(
		() => {
			const trays = document.querySelectorAll('.red-ui-tray');
			const tray = trays[trays.length - 1];
			if (!tray) return false;
			const r = tray.getBoundingClientRect();
			const now = `${r.left},${r.width}`;
			const steady = window.__ckTray === now;
			window.__ckTray = now;
			const top = document.elementFromPoint(r.right - 20, r.top + 60);
			return steady && getComputedStyle(tray).right === '0px' && tray.contains(top);
		},
		null,
		{ polling: 100 },
	);
}

async function openEditor(name) {
	const id = await idOf(name);
	await page.locator(`[id="${id}"] .red-ui-flow-node`).dblclick();
	await page.waitForSelector('.red-ui-tray #dialog-form', { state: 'visible' });
	await trayOpen();
}

async function closeEditor() {
	await page.click('#node-dialog-cancel');
	await page.waitForSelector('.red-ui-tray', { state: 'detached' });
}

async function shot(name, target = page) {
	await page.waitForSelector('.red-ui-notification', { state: 'detached' });
	await target.screenshot({ path: path.join(IMAGES, name) });
}

async function debugCount() {
	return page.locator('.red-ui-debug-msg').count();
}

/** Clicks an inject node's button; resolves with the text of the next debug message. */
async function click(injectName, debugName) {
	const before = await debugCount();
	const id = await idOf(injectName);
	await page.locator(`[id="${id}"] .red-ui-flow-node-button`).click();
	await page.waitForFunction((n) => document.querySelectorAll('.red-ui-debug-msg').length > n, before);
	const last = page.locator('.red-ui-debug-msg').last();
	assert.match(await last.locator('.red-ui-debug-msg-name').innerText(), new RegExp(debugName));
	return last.innerText();
}

before(async () => {
	fs.mkdirSync(IMAGES, { recursive: true });
	dir = tempDir('ck-e2e-');
	const userDir = path.join(dir, 'user');
	installInto(userDir, packProject(path.join(dir, 'pack')));
	writeSettings(userDir);
	// The Quick tour comes in through Import › Examples in the test; the other nodes are already there.
	fs.copyFileSync(path.join(__dirname, 'extras.json'), path.join(userDir, 'flows.json'));
	fs.writeFileSync(path.join(userDir, 'flows_cred.json'), JSON.stringify({ 'e2e-webhook': { secret: 'e2e-secret' } }));
	red = await startNodeRed({ userDir, port: await freePort() });
	browser = await chromium.launch({
		executablePath: CHROMIUM,
		args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
	});
	page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
	await page.goto(red.url);
	await page.waitForFunction(() => window.RED && RED.nodes && RED.nodes.getType('coupon') && document.querySelector('.red-ui-flow-node-group'), null, {
		timeout: 60000,
	});
});

after(async () => {
	await browser?.close();
	await red?.stop();
	if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('the palette has a Coupon Kit category with every node', async () => {
	const category = page.locator('#red-ui-palette-container-Coupon_Kit');
	await category.scrollIntoViewIfNeeded();
	assert.equal(await category.locator('.red-ui-palette-header').innerText(), 'Coupon Kit');
	const types = await category.locator('.red-ui-palette-node').evaluateAll((els) => els.map((e) => e.getAttribute('data-palette-type')));
	assert.deepEqual(types.sort(), [...TYPES].sort());
	await shot('palette.png', category);
});

test('every Coupon Kit node opens its edit dialog', async () => {
	await showTab('More Coupon Kit nodes');
	for (const [name, file, check] of [
		['Orders in', 'edit-coupon-webhook.png', '#node-input-url'],
		['Cart abandoned', 'edit-coupon-trigger.png', '#node-input-abandonAfterMinutes'],
		['Send to receiver', 'edit-coupon-platform.png', '#node-input-platform'],
	]) {
		await openEditor(name);
		assert.ok(await page.locator(check).first().isVisible(), `${name}: ${check} is not shown`);
		await shot(file);
		if (name === 'Send to receiver') {
			await page.click('#node-input-btn-webhook-edit');
			await page.waitForSelector('#node-config-dialog-edit-form #node-config-input-url', { state: 'visible' });
			await trayOpen();
			await shot('edit-coupon-kit-webhook.png');
			await page.click('#node-config-dialog-cancel');
			await page.waitForSelector('#node-config-dialog-edit-form', { state: 'detached' });
		}
		await closeEditor();
	}
});

test('the Quick tour imports from Import › Examples and deploys', async () => {
	await page.evaluate(() => RED.actions.invoke('core:show-examples-import-dialog'));
	const examples = page.locator('#red-ui-clipboard-dialog-import-tab-examples');
	await examples.locator('.red-ui-treeList-label', { hasText: PKG }).click();
	await examples.locator('.red-ui-treeList-label', { hasText: 'quick-tour' }).click();
	await shot('import-examples.png');
	await page.click('#red-ui-clipboard-dialog-ok');
	await page.waitForSelector('.red-ui-notification', { state: 'detached' });
	await showTab('Coupon Kit: Quick tour');
	await page.click('#red-ui-header-button-deploy');
	await page.waitForFunction(() => !RED.nodes.dirty());
	await page.evaluate(() => RED.sidebar.show('debug'));
	// The set-up inject runs once on deploy and creates the campaign.
	await page.waitForFunction(() => [...document.querySelectorAll('.red-ui-debug-msg-name')].some((e) => /campaign/.test(e.textContent)));
	assert.match(await page.locator('.red-ui-debug-msg').last().innerText(), /quick-tour/);
});

test('the Quick tour edit dialogs show the operation and the store', async () => {
	await openEditor('Issue');
	await page.waitForSelector('#dialog-form .coupon-arg-name');
	assert.equal(await page.locator('#coupon-operation').inputValue(), 'code.issue');
	assert.ok((await page.locator('#coupon-operation option').count()) >= 17);
	await shot('edit-coupon.png');
	await page.click('#node-input-btn-store-edit');
	await page.waitForSelector('#node-config-dialog-edit-form #node-config-input-mode', { state: 'visible' });
	await trayOpen();
	assert.equal(await page.locator('#node-config-input-mode').inputValue(), 'embedded');
	await shot('edit-coupon-kit-store.png');
	await page.click('#node-config-dialog-cancel');
	await page.waitForSelector('#node-config-dialog-edit-form', { state: 'detached' });
	await closeEditor();
});

test('each inject button of the Quick tour shows its result in the debug sidebar', async () => {
	const issued = await click('1. Issue a code to Ana', 'issued');
	const code = /TOUR-[0-9A-Z]{4}-[0-9A-Z]{4,}/.exec(issued)?.[0];
	assert.ok(code, `no code in: ${issued}`);
	assert.match(await click('2. Validate it for an 80 EUR order', 'validated'), /valid: true/);
	assert.match(await click('3. Redeem it (click twice: the second is refused)', 'redeemed'), /ok: true/);
	assert.match(await click('3. Redeem it (click twice: the second is refused)', 'redeemed'), /CODE_LIMIT_REACHED/);
	assert.match(await click('4. Roll the redemption back (refund)', 'rolled back'), /ok: true/);
	assert.match(await click('5. Validate the code with one typo', 'typo'), /BAD_CHECK_CHARACTER/);
	assert.match(await click('6. Bulk generate 10 codes', 'generated'), /count: 10/);
	assert.match(await click('7. Show the stats', 'stats'), /generated: 10, issued: 1/);
	// Open the stats object so the counters show in the sidebar (and in the screenshot).
	const stats = page.locator('.red-ui-debug-msg').last();
	await stats.locator('.red-ui-debug-msg-object-header').first().click();
	assert.match(await stats.innerText(), /redeemed: 1/);
	assert.match(await stats.innerText(), /rolledBack: 1/);
	await page.evaluate(() => {
		RED.view.select(false);
		let box = document.querySelector('.red-ui-debug-msg')?.parentElement;
		while (box && box.scrollHeight <= box.clientHeight) box = box.parentElement;
		if (box) box.scrollTop = box.scrollHeight;
	});
	await page.waitForSelector('.red-ui-notification', { state: 'detached' });
	await shot('quick-tour.png');
});
