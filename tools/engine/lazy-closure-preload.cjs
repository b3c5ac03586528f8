"use strict";
// `node --require` this file to defer @pulumi/pulumi's function serializer in a process whose
// code cannot call deferClosureModules itself (the policy pack: tools/analyzer/pack.ts).
require("./lazy-closure.cjs").deferClosureModules();
