/** Set by the build: changes with the sources, so that caches of older builds are dropped. */
declare const __BUILD_ID__: string;
