// Express 4 is installed under the alias `express4` so both majors are tested; its API is typed like 5's.
declare module 'express4' {
  import express from 'express';
  export default express;
}
