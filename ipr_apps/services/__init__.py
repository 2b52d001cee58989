"""Services: one module per capability; each public function is one transaction."""
