CREATE TABLE `report_highlights` (
	`cycle_id` integer NOT NULL,
	`commitment_id` integer NOT NULL,
	`note` text DEFAULT '' NOT NULL,
	`position` integer DEFAULT 0 NOT NULL,
	`chosen_by` integer,
	PRIMARY KEY(`cycle_id`, `commitment_id`),
	FOREIGN KEY (`cycle_id`) REFERENCES `forum_cycles`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`commitment_id`) REFERENCES `commitments`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`chosen_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
