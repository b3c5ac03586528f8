import Module from "node:module";

type Compile = (this: unknown, content: string, filename: string) => unknown;

const DEPENDENCY = /[\\/]node_modules[\\/]/;

/**
 * Source maps for the program's own files only. tsx turns Node's source-map support on, and
 * Node then decodes the source map of every module it compiles (wrapSafe -> maybeCacheSourceMap
 * in lib/internal/modules/cjs/loader.js), including each of the SDKs' modules with its inline or
 * `.js.map` map: about 300 ms of every run of this platform. A failure shows the program's own
 * frames (failure.ts), mapped to its TypeScript as before; an SDK's frames keep their JavaScript
 * file:line. The support is off only while a dependency's module is compiled, so a stack is
 * always formatted with it on.
 */
export function mapProgramSourcesOnly(): void {
  if (!process.sourceMapsEnabled) return;
  const prototype = Module.prototype as unknown as { _compile: Compile };
  const compile = prototype._compile;
  prototype._compile = function (content, filename) {
    if (!DEPENDENCY.test(filename)) return compile.call(this, content, filename);
    process.setSourceMapsEnabled(false);
    try {
      return compile.call(this, content, filename);
    } finally {
      process.setSourceMapsEnabled(true);
    }
  };
}
