/** 50 of the 100 randomised fault schedules (support/schedule-property.ts says what each checks). */
import { scheduleSuite } from '../support/faults/schedule-property.ts';

scheduleSuite('part 1', 0x5afe_2026, 50);
