// Node-RED's core node modules are plain JS; the tests only pass them to helper.load.
declare module '@node-red/nodes/core/common/*' {
	const init: (RED: unknown) => unknown;
	export = init;
}
declare module '@node-red/nodes/core/function/*' {
	const init: (RED: unknown) => unknown;
	export = init;
}
declare module '@node-red/nodes/core/network/*' {
	const init: (RED: unknown) => unknown;
	export = init;
}
