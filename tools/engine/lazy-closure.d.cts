/** Installs the stand-ins for every @pulumi/pulumi this process loads (see lazy-closure.cjs). */
export function deferClosureModules(): void;
