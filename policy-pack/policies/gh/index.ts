import type { ControlPolicy } from "../shared/control";
import { gh07, gh08 } from "./actions";
import { gh05 } from "./branch-protection";
import { gh10 } from "./defender";
import { gh06 } from "./environments";
import { gh09 } from "./oidc";
import { gh01, gh02 } from "./organization";
import { gh04 } from "./repository";
import { gh03 } from "./teams";

/**
 * GH-01..GH-10: the GitHub organization, its repositories and how GitHub Actions reaches Azure.
 * Inputs are `@pulumi/github` v6 and `@pulumi/azure-native` v3 names. A setting the control needs
 * must be set in the program: offline the provider's own defaults are not applied, so an omitted
 * input is a violation even where GitHub's default happens to be the safe value.
 */
export const ghPolicies: ControlPolicy[] = [
  gh01,
  gh02,
  gh03,
  gh04,
  gh05,
  gh06,
  gh07,
  gh08,
  gh09,
  gh10,
];
