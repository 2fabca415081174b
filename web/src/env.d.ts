declare module "worker-source" {
  const source: string;
  export default source;
}
declare module "*.wasm" {
  const bytes: Uint8Array;
  export default bytes;
}
declare module "*.css";
declare module "replay:*" {
  const replayCase: import("./examples").ReplayCase;
  export default replayCase;
}
