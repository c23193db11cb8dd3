// Copies the browser builds of our npm dependencies into static/vendor/ so that
// Django's staticfiles serves them: the app works offline, no CDN anywhere.
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";

const files = {
  "bootstrap/dist/css/bootstrap.min.css": "bootstrap/bootstrap.min.css",
  "bootstrap/dist/css/bootstrap.min.css.map": "bootstrap/bootstrap.min.css.map",
  "bootstrap/dist/js/bootstrap.bundle.min.js": "bootstrap/bootstrap.bundle.min.js",
  "bootstrap/dist/js/bootstrap.bundle.min.js.map": "bootstrap/bootstrap.bundle.min.js.map",
  "htmx.org/dist/htmx.min.js": "htmx/htmx.min.js",
  "axe-core/axe.min.js": "axe-core/axe.min.js",
};

for (const [src, dest] of Object.entries(files)) {
  const target = join("static", "vendor", dest);
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(join("node_modules", src), target);
}
console.log(`vendored ${Object.keys(files).length} files into static/vendor/`);
