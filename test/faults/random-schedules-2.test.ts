/** 50 of the 100 randomised fault schedules (support/schedule-property.ts says what each checks). */
import { scheduleSuite } from '../support/faults/schedule-property.ts';

scheduleSuite('part 2', 0x10c_0de, 50);
