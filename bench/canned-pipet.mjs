// The canned Pipet both Pipet benches call: a child process answering every request with Pipet's example
// answer (spec §5.4), pretty-printed like the real envelope view, and the request they send.
export const SERVER = `
const http = require('node:http');
const body = JSON.stringify({
  data: {
    groups: {
      buttoncolortst: { name: 'control', value: 0, payload: { stringValue: '#C0C0C0' }, version: '1' },
      newfeaturerollout: { name: 'active', value: 0, version: '1' },
      countryalgotst: { name: 'inactive', value: -1, payload: { longArray: [2, 3, 5] }, version: '1' },
    },
    context: { country: 'US', loggedIn: true },
    audit: { version: '1', updated: 1, updatedDate: '1969-12-31T18:00-0600', updatedBy: 'example' },
  },
  meta: { status: 200 },
}, null, 2);
const server = http.createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'application/json;charset=UTF-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
});
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => process.stdout.write(String(server.address().port) + '\\n'));
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
`;

// The request as the client sends it: its configured tests are a frozen list (createProctor freezes them),
// which the Pipet source turns into query text once, not on every call.
export const REQUEST = {
  tests: Object.freeze(['buttoncolortst', 'newfeaturerollout', 'countryalgotst', 'mobileonly']),
  identifiers: { USER: 'pa5xq0lz4n80' },
  context: { country: 'US', loggedIn: true },
  forceGroups: null,
};
