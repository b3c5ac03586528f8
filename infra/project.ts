/** The Pulumi project name (Pulumi.yaml): the namespace of its stack config keys. */
export const PROJECT = "aks-devsecops";
