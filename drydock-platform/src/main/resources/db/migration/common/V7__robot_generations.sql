-- Each robot's generation: a random number drawn when the robot is created and written into every token issued
-- to it. Tokens are honoured only while a robot of that name has that generation, so revoking a robot and creating
-- one with the same name does not bring the first one's tokens back. Robots created before this have 0.
alter table robots add column generation bigint not null default 0;
