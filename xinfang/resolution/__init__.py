"""Resolution and oversight (regulation.md §9, §10): supervision of organs by the petition
offices with its escalation ladder (Art. 40), and the mechanisms that work hard cases off."""
