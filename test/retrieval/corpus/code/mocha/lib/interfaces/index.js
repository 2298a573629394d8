import { bddInterface } from "./bdd.js";
import { tddInterface } from "./tdd.js";
import { qUnitInterface } from "./qunit.js";
import { exportsInterface } from "./exports.js";

export {
  bddInterface as bdd,
  tddInterface as tdd,
  qUnitInterface as qunit,
  exportsInterface as exports,
};
