/**
 * The web tests' infrastructure: real Chromium, network namespaces, throw-away OS users.
 *
 * From loopback:
 *   const browser = await launchBrowser();               // beforeAll; browser.close() in afterAll
 *   await withPage(browser, async (page) => { await page.goto('http://127.0.0.1:8008/'); });
 *
 * From a remote address (root only; wrap the suite in describeAsRoot(name, 'creates …', fn)):
 *   const ns = await createNamespace();                   // beforeAll; ns.close() in afterAll
 *   // the server must listen on 0.0.0.0 (or ns.hostAddress); it sees ns.nsAddress as the peer
 *   await curlFromNamespace(ns, `http://${ns.hostAddress}:${port}/`, ['-H', 'Origin: …']);
 *   await browseFromNamespace(ns, [{ goto: url }, { fill: '#user', value: u }, …]);
 *   const remote = await launchBrowserInNamespace(ns);   // a live Browser; remote.close()
 *
 * OS accounts for PAM (root only): await withOsUser(async ({ name, password }) => { … });
 * HTTPS with the self-signed certificate: context { ignoreHTTPSErrors: true }, curl ['-k'].
 */
export * from './browser.js';
export * from './netns.js';
export * from './ns-browser.js';
export * from './os-user.js';
export * from './steps.js';
