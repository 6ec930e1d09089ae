// The explorer's views import their own CSS (Vite bundles it); the Node-side type check of the
// tests that import those modules (test/web-i18n.test.ts) sees such an import as a module of nothing.
declare module "*.css";
