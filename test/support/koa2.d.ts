// `koa2` is Koa 2 under an npm alias (the older major the peer range accepts), for the parity test. It ships no
// types; its API is Koa 3's for everything the tests use.
declare module 'koa2' {
  import Koa from 'koa';
  export default Koa;
}
