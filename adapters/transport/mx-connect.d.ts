// mx-connect 1.6 ships no types; only what direct-mx.ts uses is declared.
declare module 'mx-connect' {
  function mxConnect(options: Record<string, unknown>): Promise<unknown>;
  export default mxConnect;
}
